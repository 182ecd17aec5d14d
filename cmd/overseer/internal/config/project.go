package config

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
)

// A Project is what one or more files describe, read once: the processes
// as the files define them (before replicas are counted out), the
// environment they expand in, and the files read. Processes makes the
// processes to run from it, as often as needed (a scale), reading no file
// again; a reload is a new LoadFiles.
type Project struct {
	files []string  // absolute paths of the files read: those given, then those included
	path  string    // the file read, as given: the name of errors, the place of relative names
	procs []Process // as Parse returned them: one per process of the file, nothing expanded
	env   environment
	// envData holds the content of each env file of a process's env_file,
	// by its name (see envFilePath), read once by Load: Processes reads it
	// again with each instance's variables.
	envData map[string][]byte
	// environ is the host's environment the files were loaded over
	// (Options.Environ, or os.Environ()), which WriteYAML leaves out.
	environ []string
}

// LoadFiles reads the files of paths, merged in order (a later file's
// keys win per process, see the package doc), with their includes, and
// returns the Project they describe. Errors are Load's, naming the file
// and line of each mistake; with any error no Project is returned.
func LoadFiles(paths []string, opts Options) (*Project, error) {
	if len(paths) == 0 {
		return nil, errors.New("config: LoadFiles: no file")
	}
	srcs := make([]source, len(paths))
	for i, path := range paths {
		srcs[i] = source{path: path, yaml: isYAML(path)}
	}
	return loadProject(srcs, opts)
}

// LoadProjectData is LoadFiles of one file whose content, data, is at hand
// (see LoadData): the command's built-in demo.
func LoadProjectData(path string, data []byte, opts Options) (*Project, error) {
	return loadProject([]source{{path: path, data: data, yaml: isYAML(path)}}, opts)
}

// loadProject reads the files of srcs, merged, with their includes and the
// env files they name, into a Project, the .env being that of the first
// file's directory, and makes its processes once, so that any mistake is
// reported now.
func loadProject(srcs []source, opts Options) (*Project, error) {
	procs, top, files, err := parse(srcs)
	if err != nil {
		return nil, err
	}
	path := srcs[0].path
	env, err := loadEnv(path, filepath.Join(filepath.Dir(path), ".env"), top, opts)
	if err != nil {
		return nil, err
	}
	pr := &Project{path: path, procs: procs, env: env, environ: hostEnviron(opts)}
	if srcs[0].data == nil { // none for LoadProjectData
		pr.files = files
	}
	if err := pr.readEnvFiles(); err != nil {
		return nil, err
	}
	if _, err := pr.Processes(nil); err != nil {
		return nil, err
	}
	return pr, nil
}

// readEnvFiles reads the env files of the processes' env_file into
// envData, each once. One that cannot be read is an *Error at the line of
// the file that names it.
func (pr *Project) readEnvFiles() error {
	var errs errorList
	pr.envData = make(map[string][]byte)
	for i := range pr.procs {
		tmpl := &pr.procs[i]
		if tmpl.disabled != "" {
			continue // its env files need not be there
		}
		for _, ref := range tmpl.envFiles {
			file := refFile(ref.file, pr.fileOf(tmpl))
			name := envFilePath(file, ref.name)
			if _, done := pr.envData[name]; done {
				continue
			}
			data, err := readFile(name)
			if err != nil {
				errs.add(&Error{File: file, Line: ref.line, Key: ref.key, Err: fmt.Errorf("env file: %w", err)})
				continue
			}
			pr.envData[name] = data
		}
	}
	return errs.err()
}

// Files returns the absolute paths of the files read, those given first,
// then those they include; none for LoadProjectData.
func (pr *Project) Files() []string { return slices.Clone(pr.files) }

// Replicas returns the number of instances the files give each process
// that sets replicas, by its name in the file.
func (pr *Project) Replicas() map[string]int {
	counts := make(map[string]int)
	for _, proc := range pr.procs {
		if proc.hasReplicas && proc.disabled == "" {
			counts[proc.Name] = proc.replicas
		}
	}
	return counts
}

// Processes returns the processes to run, in file order, each a new Cmd:
// a process with replicas counted out into its instances NAME-1 …
// NAME-N, N being scale[NAME] when set, else the file's replicas (see
// Replicas). It reads no file. A scale of a name that is not a process
// with replicas, or below 0, is an error.
//
// Each process has its environment and its ${NAME} references expanded
// as the package doc says, each instance with its own PORT,
// OVERSEER_REPLICA and ${REPLICA}; a depends_on entry that names a
// process with replicas names each of its instances; and its Cmd's
// Revision is the digest of its configuration (see revision), the same
// for an instance whatever the number of instances, so that a scale
// leaves the instances it keeps alone. A scale that makes an instance's
// name that of another process, or its PORT above 65535 or into the next
// process's, is an *Error at the file's line. It changes nothing of the
// Project, and may be called from several goroutines at once.
func (pr *Project) Processes(scale map[string]int) ([]Process, error) {
	counts, err := pr.counts(scale)
	if err != nil {
		return nil, err
	}
	var errs errorList
	pr.checkInstances(&errs, counts)
	if err := errs.err(); err != nil {
		return nil, err
	}
	var out []Process
	for i := range pr.procs {
		tmpl := &pr.procs[i]
		if tmpl.disabled != "" {
			continue // left out, after counting for the ports of the others (i)
		}
		n, replicated := counts[tmpl.Name]
		if !replicated {
			out = append(out, pr.instance(&errs, tmpl, i, 0))
			continue
		}
		for r := 1; r <= n; r++ {
			out = append(out, pr.instance(&errs, tmpl, i, r))
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	for i := range out {
		proc := &out[i]
		proc.Cmd.DependsOn = expandDeps(proc.Cmd.DependsOn, counts)
		proc.Cmd.Revision = revision(proc)
	}
	return out, nil
}

// WriteYAML writes the processes of Processes(scale) as a YAML file that
// loads into the same processes, with the same host environment: what
// "overseer config" prints (see WriteProcesses).
func (pr *Project) WriteYAML(w io.Writer, scale map[string]int) error {
	procs, err := pr.Processes(scale)
	if err != nil {
		return err
	}
	return WriteProcesses(w, procs, pr.environ)
}

// fileOf returns the file that defines tmpl: its File, else the file read.
func (pr *Project) fileOf(tmpl *Process) string {
	if tmpl.File != "" {
		return tmpl.File
	}
	return pr.path
}

// baseOf returns the absolute directory of file, from which its relative
// names are taken.
func (pr *Project) baseOf(file string) string {
	dir := filepath.Dir(file)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir // only when the working directory is gone: relative, as written
}

// name returns the name of the file read, for errors.
func (pr *Project) name() string { return pr.path }

// template returns the process of the file called name, or nil.
func (pr *Project) template(name string) *Process {
	for i := range pr.procs {
		if pr.procs[i].Name == name {
			return &pr.procs[i]
		}
	}
	return nil
}

// names returns the names of the processes of the file, in order.
func (pr *Project) names() []string {
	names := make([]string, len(pr.procs))
	for i, proc := range pr.procs {
		names[i] = proc.Name
	}
	return names
}
