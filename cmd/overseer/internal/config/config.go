// Package config reads the files the overseer command runs: a Procfile or a
// YAML file, each process of it made into an overseer.Cmd configured as the
// file says.
//
// # Procfile
//
// The convention of foreman and goreman: one process a line, "name: command
// line"; blank lines and lines starting with # are ignored. The command line
// runs through /bin/sh -c, as those tools run it. Every other field keeps
// its default (overseer.NewCmd).
//
//	web: python3 -m http.server 8000
//	worker: ./worker -queue jobs
//
// # YAML
//
// A top-level mapping "processes" maps each process name to its settings,
// in the order the processes are to be listed. A name alone with a string is
// short for {command: string}. Top-level keys starting with "x-" are ignored,
// so that they can hold anchors (&name) to merge (<<: *name) into processes.
// The top-level key env_file names env files for every process (see
// Environment); include names files read before this one (see Several
// files).
//
//	env_file: [shared.env]                 # or one name; relative to the file's directory
//	include: [common.yaml]                 # or one name; relative to the file's directory
//	processes:
//	  web: python3 -m http.server ${PORT}  # short for {command: ...}
//	  worker:
//	    args: [./worker, -queue, jobs]     # exec'd directly, no shell
//	    dir: ./worker                      # relative to the file's directory
//	    env: {QUEUE_URL: "redis://${REDIS_HOST:-localhost}"}
//	    env_file: [worker.env, prod.env]   # or one name; relative to the file's directory
//	    group: backend
//	    restart: always                    # never | on-failure | always
//	    max_restarts: -1                   # -1: no limit; 0: none
//	    reset_after: 1m
//	    backoff: {min: 500ms, max: 10s, factor: 2, jitter: true}
//	    start_delay: 2s
//	    stop_signal: SIGINT                # or INT
//	    stop_timeout: 30s
//	    buffer_lines: 5000
//	    buffer_bytes: 16MiB                # or a number of bytes
//	    max_line_bytes: 1MiB
//	    success_codes: [3]
//	    log: logs/worker.log               # relative to the file's directory
//	    log_timestamps: true               # each line of the log file begins with its time
//	    pty: false
//	    listeners: [tcp://127.0.0.1:8080, unix:///run/worker.sock]
//	    ready: {command: ./worker -check, period: 1s, timeout: 2s}   # not at its own listeners
//	    ready_timeout: 30s
//	    notify: true
//	    watchdog: 10s
//	    liveness: {http: "http://127.0.0.1:8080/healthz", period: 10s, timeout: 2s, failures: 3}
//	    watch_files: [worker.toml]         # relative to the file's directory
//	    depends_on: {db: healthy, migrate: completed}   # or [db, migrate]
//	    memory_limit: 512MiB               # a size
//	    cpu_quota: 50%                     # of one core; or cores: 0.5
//	    tasks_max: 100
//	    limits: {nofile: 65536, core: 0, stack: unlimited}
//	    nice: 5
//	    umask: "077"                       # octal; 0 masks nothing
//	    user: www-data                     # or www-data:adm, with its group
//	    user_group: adm                    # the primary group (group is the label)
//	    schedule: "*/5 * * * *"            # a run at each tick; or @every 10m, @hourly, @daily…
//	    timezone: Europe/Paris             # of the schedule; the host's zone without it
//	    run_on_start: true                 # also one run at once
//	    pre_start: [./migrate, [mkdir, -p, tmp]]   # before each run, in order
//	    post_stop: ['rm -rf tmp']          # after each run
//	    stop_command: ./worker -drain $MAINPID     # in place of stop_signal
//	    replicas: 3                        # instances worker-1 … worker-3 (see Replicas)
//	    disabled: false                    # true: left out (see Several files)
//
// Each key sets the overseer.Cmd field of the same name (pty sets PTY, log
// sets Process.Log, env_file adds to Env, log_timestamps Process.LogTimestamps, watch_files
// WatchFiles, depends_on DependsOn, memory_limit MemoryLimit, cpu_quota
// CPUQuota, tasks_max TasksMax, user_group UserGroup, schedule and timezone
// Schedule, run_on_start RunOnStart, pre_start PreStart, post_stop
// PostStop, stop_command StopCommand; replicas is the number of
// instances, see Replicas); a key left out keeps
// the default of overseer.NewCmd. log_timestamps true without log is an error: it would
// do nothing.
// Exactly one of command (a string run through /bin/sh -c) and args (a
// list, the program first) is needed. env is a mapping of names to values
// or a list of "NAME=value"; its variables are set over the rest of the
// process's environment (see Environment). command, args, env values, dir
// and log have their ${NAME} references expanded when the file is loaded
// (see Variables); a bare $NAME is left to the command's shell. Durations are Go durations
// ("500ms", "1m30s"); sizes are a number of bytes, or one with the suffix
// B, KiB, MiB or GiB. A value whose zero would stand for a default
// (stop_timeout, reset_after, the buffer sizes, backoff min, max and factor)
// must be above zero; max_line_bytes is at most 1GiB, max_restarts at least
// -1, and success codes 0-255. A backoff min or max given alone moves the
// default of the other out of its way. stop_signal is a name, with or
// without SIG, in any case.
//
// memory_limit is a size and tasks_max a whole number, both above 0.
// cpu_quota is a share of one core above 0: a percentage ("50%", "150%")
// or a number of cores (0.5, 1.5). limits maps resources, named as
// setrlimit(2) names them without RLIMIT_ and in any case (nofile, core,
// stack, …; a name with a slip gets a suggestion), to a whole number, to
// unlimited, or, for those counted in bytes, to a size; each is the soft
// and the hard limit. nice is -20 to 19. umask is read in octal, as umask(1)
// reads it, whether written as a string ("077") or a number (0077, 22), at
// most 777; 0 masks nothing (overseer.UmaskNone), and leaving the key out
// keeps overseer's mask. user is a user's name or id, or "user:group";
// user_group is a group's name or id (the key group is the dashboard's
// label); both are looked up when the file is read, so that a slip is
// reported at its line, and the group is set once, by user or by
// user_group.
//
// schedule is a 5-field cron expression (minute hour day-of-month month
// day-of-week: "*/5 * * * *") or a descriptor (@every 10m, @hourly,
// @daily, @weekly, @monthly, @yearly), parsed by robfig/cron/v3, whose
// reason a bad one gets; timezone is an IANA zone name (Europe/Paris), the
// zone of its times (the host's without it; the zone database is built
// in); run_on_start also runs the process once when supervision begins.
// timezone and run_on_start without schedule are errors, as is schedule
// with restart: always (a scheduled run must end by itself).
//
// ready says when a run is ready (Cmd.Ready): notify, for a process that
// sends READY=1 itself (overseer.Notified), or a mapping with one probe of
// package probe: line, a regular expression that a line of output matches;
// tcp, a host:port that accepts a connection; http, a URL whose GET
// answers 2xx; or command, a shell line that exits 0, run in the
// process's dir with its environment. The last three poll,
// every period, each try bounded by timeout (durations above 0; left out,
// the probe's defaults). ready_timeout bounds the wait, and must be above
// 0; watchdog 0 means none. listeners are addresses of the form
// network://address; overseer checks the rest when the process starts.
// depends_on lists processes of the same file, each waited for until it has
// started, or maps each to a condition: started, ready, completed or
// healthy; or to a mapping, Docker Compose's long form, of condition
// (started if left out) and restart, true to restart the process after
// each restart of the one it depends on (Dependency.Restart):
// {db: {condition: healthy, restart: true}}.
//
// liveness checks that a run stays well once it is ready (Cmd.Liveness): a
// mapping with one probe, as ready takes them (line, tcp, http or command;
// a liveness line must come at least every period, a line matching since
// the try before passing a try), and period (10s), timeout (1s, at most
// the period; not for line), failures (3, tries failed in a row that
// restart the run as a failure), successes (1, tries passed in a row that
// make it healthy) and initial_delay (none, after the run is ready). The
// durations are above 0 (initial_delay may be 0), the counts above 0.
// process-compose's and Kubernetes' names (period_seconds,
// failure_threshold, liveness_probe, ...) are refused with ours suggested.
//
// pre_start and post_stop are lists of commands, and stop_command one
// command: each a shell line, run through /bin/sh -c as command is, or a
// list, the program first, run as args is. An empty list, an empty
// command or a NUL byte is an error.
//
// depends_on may not go round in a cycle (a waits for b, b for a): that is
// an error at an entry of the cycle, which it names ("a -> b -> a").
//
// A key with the name of a setting (restart, env, ...) right after a
// process whose settings are on lines of their own is taken for a setting
// of that process indented too little, an error, unless it has command or
// args of its own: a process may be named so, written as a mapping.
//
// # Several files
//
// LoadFiles reads several files, merged in order, as docker compose merges
// its -f files: a later file changes the processes of the earlier ones, and
// adds its own.
//
//   - A process that a later file names again keeps its place in the
//     order; one that a later file adds comes after those before it.
//   - Each key that a later file sets replaces that key of the process,
//     whatever its kind: a scalar, a list (args, depends_on, env_file,
//     watch_files, ...) or a mapping (backoff, limits, ready, ...), so that
//     a later file can take an entry out. command and args replace each
//     other, and a process given as a string alone, short for {command:
//     string}, replaces the command only. The keys a later file leaves out
//     are kept.
//   - env is merged per variable, as compose merges environment: a
//     variable a later file sets takes its new value (in the place it had),
//     the others are kept.
//   - disabled: true leaves the process out, so that a later file can turn
//     off a process of an earlier one (and disabled: false turn it on
//     again). A disabled process's ${NAME} are not expanded nor its env
//     files read, and it has no replicas to scale (Project.Replicas leaves
//     it out), but its keys are checked all the same; one that no file
//     gives a command is an error at its disabled (a slip of the name,
//     that would turn off nothing). It still counts for
//     the PORT of the others, which keep their ports whether it runs or
//     not. A process that depends_on a disabled one is an error, that names
//     both places.
//   - After the merge, a process needs command or args from one of the
//     files: a later file may set only a few keys of a process
//     ({web: {env: {DEBUG: "1"}}}), but a process named in no file with a
//     command is an error at the line that first defines it.
//   - A Procfile may be merged too: each of its lines is {command: line}.
//
// include, a file name or a list of them, names files read before the file
// that includes them, in order, each with its own includes before it: the
// including file's keys win over theirs, as a later -f file's do. A file
// with include needs no processes of its own. Includes may nest, 16 files
// deep, and a load reads at most 1000 of them (a file included by two
// files is read twice); a file that includes itself, or one that includes
// it, or a file that cannot be read, is an error at the line of include
// that names it.
//
// Each key is read from the file that sets it: an error names that file
// and line, and a relative path (dir, log, watch_files, env_file, include)
// is taken from that file's directory. A process that sets no dir runs in
// the directory of the file that first defines it. Each file's top-level
// env_file applies to every process, in the order the files are read; the
// .env read is that of the first file's directory only. A key that a later
// file replaces is checked for mistakes still. Process.File and
// Process.Line are the last file that names the process, and the line
// there.
//
// # Environment
//
// Each process gets a full environment, built in this order, a later
// source winning over an earlier one:
//
//  1. the host's environment (Options.Environ, by default os.Environ());
//  2. the file ".env" in the directory of the Procfile or YAML file, if
//     there is one, then each file of the YAML file's top-level env_file,
//     then each file of Options.EnvFiles (the command's -env FILE,
//     repeated), in order; all but .env must exist;
//  3. PORT, as foreman sets it: the base port plus 100 times the process's
//     index in the file (the first is 0), so that a process keeps its port
//     whichever others run. The base is Options.BasePort (the command's
//     -port) if set, else the PORT of the env files, else the host's PORT,
//     else 5000. Instance r of a process with replicas adds r-1 to its
//     process's, and gets OVERSEER_REPLICA=r (see Replicas);
//  4. each file of the process's env_file in a YAML file, in order;
//  5. the env of the process in a YAML file, PORT included.
//
// The names of env_file, one string or a list, are taken from the YAML
// file's directory. One that cannot be read is an *Error at the line of
// the YAML file that names it (wrapping the error of the read,
// fs.ErrNotExist for a missing file); a bad entry in it, an *Error at the
// env file's line.
//
// An env file holds NAME=value lines, as foreman and godotenv read them:
//
//	# a comment
//	export DATABASE_URL=postgres://localhost/app   # "export" is allowed
//	GREETING = hello world                         # trimmed: "hello world"
//	HASH=a#b                                       # a # after a space starts a comment
//	LITERAL='$HOME and \n as written'
//	QUOTED="line one\nline two, \"quoted\", \$5"
//	CERT="-----BEGIN-----
//	...
//	-----END-----"
//	LOG_DIR=${HOME}/log                            # or $HOME/log
//	spring.profiles.active=dev
//
// A name is ASCII letters, digits, underscores and dots (as Java programs
// read them), not starting with a digit or a dot. A value is unquoted,
// in single quotes, or in double quotes. Unquoted, it runs to the end of
// the line or to a # after a space or tab, and is trimmed. In single quotes
// it is taken as written. In double quotes, \n \t \r \" \\ and \$ are
// escapes (any other backslash is kept); a value in quotes may go on over
// several lines, and may be followed by a comment only. In unquoted and
// double-quoted values, $NAME and ${NAME} are replaced by the value of
// NAME set earlier in the same file, else in the environment as it stands
// (the host's and that of the env files before), else by nothing; a bare
// $NAME ends before a dot, ${NAME} may hold one; \$ is a $, and so is a $
// that starts no name. A name set twice takes the later value. A line that
// is not NAME=value, a bad name (in ${...} too), a quote never closed, text
// after a closing quote or a ${ without } is an *Error at the env file's
// line, as is a PORT that is not a port (1-65535).
//
// The env file reader is this package's own rather than joho/godotenv, by
// choice: it reports each malformed entry as an *Error at its file and
// line, which godotenv cannot (its errors stop at the first mistake and
// give no line), and it reads the same syntax: TestDotenvAsGodotenv reads
// the shared syntax with both, and finds the same values.
//
// # Variables
//
// In a YAML file, the values of command, args, env, dir and log may refer
// to variables, expanded once, when the file is loaded:
//
//	${NAME}             the value of NAME; an error if NAME is set nowhere
//	${NAME:-default}    the value of NAME, or default (as written) if NAME is unset or empty
//	$$                  a $
//
// Any other $ is kept as it is, a bare $NAME above all: a command's shell
// expands it when the process starts. The values come from the process's
// environment as Environment builds it (the host's, .env, the env files,
// PORT, the process's env_file); command, args, dir and log also see the
// process's own env, env values do not (they are expanded before they are
// set). A value is not expanded again. Variables that overseer sets when
// a run starts (NOTIFY_SOCKET, LISTEN_FDS, MAINPID, ...) are not known
// then: write them $NAME or $${NAME}. A reference to a variable set
// nowhere, with no default, a ${ without }, or another form of the shell
// (${NAME:+x}, ${#NAME}, ...) is an *Error at the line of the value, whose
// message says to write $${...} to leave it to the shell. A Procfile's
// lines are not expanded: they go to the shell as written.
//
// # Replicas
//
// replicas: N (a whole number, 0 or more) in a YAML file runs N instances
// of the process, named NAME-1 … NAME-N: each a Process of its own, whose
// Name is that, Template the process's name and Replica its number r, from
// 1 (a process without replicas has Name = Template and Replica 0). Each
// instance is made as the process is, with, in its environment,
// OVERSEER_REPLICA=r and its own PORT, the process's plus r-1 (the places
// of the processes after it do not move); and ${REPLICA}, r, is known to
// the expansion of its command, args, env, dir and log (not set in the
// environment; in a process without replicas, ${REPLICA} is a variable as
// any other). More than 100 instances would take the ports of the next
// process: an error at the line of replicas, unless the process sets PORT
// in its env (shared by its instances, unless it refers to ${REPLICA}). The
// Group of the instances is the process's name, unless the process sets
// group. An instance whose name is that of a process of the file is an
// error at the line of replicas. A depends_on entry that names a process
// with replicas stands for one entry per instance (none for 0), with the
// same condition and restart; each instance depends on what its process
// depends on. All instances have the process's listeners. replicas: 0
// keeps the process in the file, and runs none: Project.Processes takes
// another count (a scale). Select takes the name of a process with
// replicas for all its instances.
//
// Each Cmd that Project.Processes makes (and Load, LoadData) has its
// Revision set to a digest of its configuration: all the exported fields
// of the Cmd that a file sets, by value, after expansion, and Log and
// LogTimestamps. An unchanged file gives unchanged Revisions; an instance
// kept by a new scale keeps its own; a change of a process's keys, of the
// env files it reads or of the environment it starts from changes its
// Revision only, but a process that depends on one with replicas
// lists its instances in DependsOn: a scale of that one changes its
// Revision too, as the fields Overseer.Apply would otherwise compare.
//
// Any mistake (an unknown or repeated key, a value of the wrong kind, a bad
// name) is an *Error that names the file, line and key, and then no process
// is returned at all. A YAML syntax error is at the line to fix: the
// line indented as no key above it, the one with a tab in its indentation,
// the one where a quote or bracket never closed opens.
//
// # Writing
//
// WriteProcesses, and Project.WriteYAML, write processes back as a YAML
// file of what will run, which loads into the same processes over the same
// host's environment: what "overseer config" prints. Every key not at its
// default is written in one canonical form; env holds only the variables
// that differ from the host's environment, and PORT, and each $ of a value
// that is expanded is written $$.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/overseer-go/overseer"
)

// A Process is one entry of a file: its name and the Cmd to run, configured.
type Process struct {
	Name string
	Cmd  *overseer.Cmd
	Log  string // a file to write the process's output to, "" for none (rotated by size by the command)
	// LogTimestamps begins each line written to Log with the time it was
	// written (YAML only; never set without Log).
	LogTimestamps bool
	Line          int // where it is defined in the file
	// Template is the process's name in the file: Name itself, but for an
	// instance of a process with replicas, whose Name is Template-N.
	Template string
	// Replica is the instance's number, from 1, for a process with
	// replicas; 0 for any other.
	Replica int
	// File is the file that defines the process (of several merged, the
	// last one that sets one of its keys).
	File string

	envFiles []fileRef // its env_file, read by Load
	refs     []varRef  // the values Load expands ${NAME} in
	// schedule and timezone are the keys schedule and timezone as
	// written (trimmed), kept for WriteProcesses: Cmd.Schedule cannot be
	// written back. Set only when Cmd.Schedule is.
	schedule, timezone string
	// from maps each key the process sets to the file that sets it (of
	// several merged, the last one), and "" to the file that defines it
	// first: relative paths are taken from the directory of the file that
	// sets them (dir, log, watch_files), the process runs by default in
	// that of the file that defines it.
	from map[string]string
	// disabled is where disabled: true is set, "FILE:LINE"; "" for a
	// process that runs. Processes leaves such a process out, after
	// counting it for the ports of the others.
	disabled string

	replicas     int    // the file's replicas, when hasReplicas
	hasReplicas  bool   // the process sets replicas, 0 included
	replicasFile string // the file and line of the key replicas
	replicasLine int
}

// Error is what a bad file gets: the file, the line (0: the file as a
// whole), the key (the process name, then the setting, as "web.restart";
// empty when the line has no key) and what is wrong. Its text reads
// "FILE:LINE: KEY: message".
type Error struct {
	File string
	Line int
	Key  string
	Err  error
}

// Error returns "FILE:LINE: KEY: message", leaving out the line when it is 0
// and the key when it is empty.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("invalid")
	}
	return b.String()
}

// Unwrap returns the error of what is wrong.
func (e *Error) Unwrap() error { return e.Err }

// maxErrors is how many errors a bad file gets reported; the rest are
// counted.
const maxErrors = 10

// Options are what Load takes besides the file. The zero Options load the
// .env of the file's directory, if any, over the host's environment.
type Options struct {
	// EnvFiles are .env files to load after the .env of the file's
	// directory, in order, a later one winning over an earlier one (the
	// command's -env). Relative names are taken from the working directory.
	// Each must exist.
	EnvFiles []string
	// BasePort is the PORT of the file's first process, each next one
	// getting 100 more (the command's -port). 0: the PORT of the env files,
	// else the PORT of Environ, else 5000.
	BasePort int
	// Environ is the host's environment, "NAME=value" entries, that every
	// process starts from. nil: os.Environ(); empty: none.
	Environ []string
}

// Load reads a Procfile or a YAML file (by extension: .yaml/.yml is YAML,
// anything else a Procfile), and returns its processes in file order, each
// with its full environment (see Environment in the package doc), a
// process with replicas as its instances (see Replicas): the
// Processes(nil) of LoadFiles of the one file.
//
// Paths in the file are taken from the file's directory, as foreman and
// docker compose take them: a relative dir, log or file of watch_files is
// joined to it, and a process that sets no dir (every process of a
// Procfile) runs in it. A YAML file's include are read with it, before it,
// each key's paths taken from the directory of the file that sets it (see
// Several files in the package doc).
//
// An error reading the file or an env file is returned as is (wrapped, for
// an env file); a file or env file over MaxFileBytes gets an *Error
// wrapping ErrTooLarge, and is read no further; a bad file or env file gets
// an *Error (errors.As), or several joined (errors.Join), as does a process
// whose PORT would be above 65535; a BasePort or host's PORT that is not a port gets an error that
// says so. With any error, no process is returned.
func Load(path string, opts Options) ([]Process, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return LoadData(path, data, opts)
}

// LoadData is Load of a file whose content, data, is at hand: path names
// it, says its kind by its extension, and places it, for relative paths
// and its .env. The command runs its built-in demo this way.
func LoadData(path string, data []byte, opts Options) ([]Process, error) {
	pr, err := loadProject([]source{{path: path, data: data, yaml: isYAML(path)}}, opts)
	if err != nil {
		return nil, err
	}
	return pr.Processes(nil)
}

// isYAML reports whether the file path is YAML by its extension, .yaml or
// .yml; any other is a Procfile.
func isYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

// enabled returns procs without the processes disabled.
func enabled(procs []Process) []Process {
	return slices.DeleteFunc(procs, func(p Process) bool { return p.disabled != "" })
}

// under returns path taken from dir: dir for "", path itself if absolute.
func under(dir, path string) string {
	switch {
	case path == "":
		return dir
	case filepath.IsAbs(path):
		return path
	}
	return filepath.Join(dir, path)
}

// Parse reads the processes of a Procfile, or of a YAML file if yaml is
// true, from data; name is the file's name in errors. It is Load without the
// file: relative paths are left as written, Cmd.Dir is "" (the host's
// working directory) when the file sets no dir, and Cmd.Env holds only the
// variables of the process's env key, nil for none (Load sets them over the
// host's environment, the env files and PORT), and a process with replicas
// is one Process, named as the file names it (Load counts out its
// instances).
func Parse(name string, data []byte, yaml bool) ([]Process, error) {
	procs, _, _, err := parse([]source{{path: name, data: data, yaml: yaml}})
	return enabled(procs), err
}

// parse reads the files of srcs, each with its includes, and merges their
// processes in order (see merge); it returns them, the disabled ones
// included, the env files of the top-level env_file of every file, and the
// absolute paths of the files read. A given file that cannot be read is
// its error as is; an included one, an *Error at the line that names it.
func parse(srcs []source) ([]Process, []fileRef, []string, error) {
	p := &parser{}
	l := &loader{p: p}
	for _, src := range srcs { // the files given come first in Files
		if abs, err := filepath.Abs(src.path); err == nil && !slices.Contains(l.files, abs) {
			l.files = append(l.files, abs)
		}
	}
	for _, src := range srcs {
		data := src.data
		if data == nil {
			var err error
			if data, err = readFile(src.path); err != nil {
				return nil, nil, nil, err
			}
		}
		l.read(src.path, data, src.yaml)
	}
	var procs []Process
	if !l.missing { // else a process would miss the keys of the file missing
		procs = p.merge(l.layers)
	}
	if err := p.err(); err != nil {
		return nil, nil, nil, err
	}
	var top []fileRef
	for _, ly := range l.layers {
		top = append(top, ly.envFiles...)
	}
	for i := range procs {
		procs[i].Template = procs[i].Name
	}
	return procs, top, l.files, nil
}

// parser collects the errors of the files it reads.
type parser struct {
	file string // the file being read, that errorf's errors name
	errs []*Error
	seen map[string]bool // the texts of errs, so that a mistake in a node merged or aliased twice is told once
	n    int             // errors found, told or not: a check that calls others compares it
	deps []dependency    // the entries of depends_on, checked once every process is known
	// files are the files read, as named, in order: errors are sorted by
	// file in this order, then by line.
	files []string
}

// errorf records an error at line of the file being read about key.
func (p *parser) errorf(line int, key, format string, args ...any) {
	p.errorIn(p.file, line, key, format, args...)
}

// errorIn records an error at line of file about key.
func (p *parser) errorIn(file string, line int, key, format string, args ...any) {
	p.n++
	e := &Error{File: file, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
	if p.seen[e.Error()] {
		return
	}
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	p.seen[e.Error()] = true
	p.errs = append(p.errs, e)
}

// err returns nil, the one error, or the first maxErrors by file and line
// joined (and a count of the others).
func (p *parser) err() error {
	rank := func(file string) int {
		if i := slices.Index(p.files, file); i >= 0 {
			return i
		}
		return len(p.files)
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int {
		return cmp.Or(rank(a.File)-rank(b.File), a.Line-b.Line)
	})
	switch n := len(p.errs); {
	case n == 0:
		return nil
	case n == 1:
		return p.errs[0]
	case n > maxErrors:
		p.errs = append(p.errs[:maxErrors:maxErrors], &Error{File: p.errs[0].File, Err: fmt.Errorf("%d more errors", n-maxErrors)})
	}
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// shell returns the Cmd that runs a command line through /bin/sh -c, as
// foreman and goreman run them.
func shell(cmdline string) *overseer.Cmd {
	return overseer.NewCmd("/bin/sh", "-c", cmdline)
}
