//go:build unix

package main

import (
	"fmt"

	"github.com/overseer-go/overseer"
)

// cpuText is the CPU column of "overseer status": the percentage of one
// core over the last sampling interval, with one decimal ("12.5%"), or
// "-" without a sample (at rest, before the first, sampling off).
func cpuText(u overseer.JSONUsage) string {
	if u.Time.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", u.CPUPercent)
}

// memText is the MEM column of "overseer status": the resident memory in
// binary units ("812B", "12.5MiB", "512MiB"), or "-" without a sample.
func memText(u overseer.JSONUsage) string {
	if u.Time.IsZero() {
		return "-"
	}
	return bytesText(u.MemoryBytes)
}

// bytesText is n bytes in binary units, without a space so that the
// column stays one field: "812B", "1.0KiB", "12.5MiB", "512MiB" (one
// decimal under 100), as the dashboard shows them.
func bytesText(n uint64) string {
	if n < 1024 {
		return fmt.Sprintf("%dB", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / 1024
	i := 0
	for v >= 1023.5 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 99.95 {
		return fmt.Sprintf("%.1f%s", v, units[i])
	}
	return fmt.Sprintf("%.0f%s", v, units[i])
}
