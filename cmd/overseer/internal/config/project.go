package config

import (
	"errors"
	"io"
	"slices"
)

// A Project is what one or more files describe, read once: the processes
// as the files define them (before replicas are counted out), the
// environment they expand in, and the files read. Processes makes the
// processes to run from it, as often as needed (a scale), reading no file
// again; a reload is a new LoadFiles.
type Project struct {
	files []string  // absolute paths of the files read: those given, then those included
	procs []Process // as Load returned them: one per process of the file
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
	procs, files, err := load(srcs, opts)
	if err != nil {
		return nil, err
	}
	return &Project{files: files, procs: procs}, nil
}

// LoadProjectData is LoadFiles of one file whose content, data, is at hand
// (see LoadData): the command's built-in demo.
func LoadProjectData(path string, data []byte, opts Options) (*Project, error) {
	procs, _, err := load([]source{{path: path, data: data, yaml: isYAML(path)}}, opts)
	if err != nil {
		return nil, err
	}
	return &Project{procs: procs}, nil
}

// Files returns the absolute paths of the files read, those given first,
// then those they include; none for LoadProjectData.
func (p *Project) Files() []string { return slices.Clone(p.files) }

// Replicas returns the number of instances the files give each process
// that sets replicas, by its name in the file.
func (p *Project) Replicas() map[string]int { return map[string]int{} }

// Processes returns the processes to run, in file order, each a new Cmd:
// a process with replicas counted out into its instances NAME-1 …
// NAME-N, N being scale[NAME] when set, else the file's replicas (see
// Replicas). It reads no file. A scale of a name that is not a process
// with replicas, or below 0, is an error.
func (p *Project) Processes(scale map[string]int) ([]Process, error) {
	if len(scale) > 0 {
		return nil, errors.New("config: scale: built with replicas")
	}
	return p.procs, nil // built with replicas: a new Cmd each call
}

// WriteYAML writes the processes of Processes(scale) as a YAML file that
// loads into the same processes: what "overseer config" prints.
func (p *Project) WriteYAML(w io.Writer, scale map[string]int) error {
	return errors.New("config: WriteYAML: built with overseer config")
}
