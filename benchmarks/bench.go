//go:build linux

package benchmarks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// Figures are what one measurement found. Only the fields the job measures
// are set.
type Figures struct {
	Contender string `json:"contender"`
	N         int    `json:"n"` // children, or lines

	Wall    time.Duration `json:"wall"`    // the whole job
	HostCPU time.Duration `json:"hostCPU"` // of this process, during the job
	PeakRSS int64         `json:"peakRSS"` // bytes, VmHWM at the end

	Start       time.Duration `json:"start"`       // starting N children, one after the other
	RSSPerChild int64         `json:"rssPerChild"` // bytes of host RSS per running child
	Threads     int           `json:"threads"`     // OS threads of the host with N children running
	ToJSONAll   time.Duration `json:"toJSONAll"`   // one ToJSONAll over N processes (overseer)
	Stop        time.Duration `json:"stop"`        // stopping N children that exit on SIGTERM
	IdleCPU     time.Duration `json:"idleCPU"`     // host CPU per second with N sleeping children

	Restarts int `json:"restarts"` // restarts done (crash loop)

	Lines   int    `json:"lines"`   // lines the contender saw
	Dropped uint64 `json:"dropped"` // lines a subscriber lost
}

// procStatus is what /proc/self/status tells of this process.
type procStatus struct {
	rss, hwm int64 // bytes
	threads  int
}

func readProcStatus() (procStatus, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return procStatus{}, err
	}
	var st procStatus
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		fields := bytes.Fields(value)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			continue
		}
		switch string(key) {
		case "VmRSS":
			st.rss = n << 10
		case "VmHWM":
			st.hwm = n << 10
		case "Threads":
			st.threads = int(n)
		}
	}
	if st.rss == 0 || st.threads == 0 {
		return st, fmt.Errorf("benchmarks: /proc/self/status has no VmRSS or Threads")
	}
	return st, nil
}

// settledRSS returns the RSS after returning freed memory to the OS, so
// that two readings compare what is in use.
func settledRSS() (procStatus, error) {
	debug.FreeOSMemory()
	return readProcStatus()
}

// HostCPU returns the CPU time this process has used, user and system.
func HostCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS returns the peak RSS of this process so far, in bytes.
func PeakRSS() (int64, error) {
	st, err := readProcStatus()
	return st.hwm, err
}
