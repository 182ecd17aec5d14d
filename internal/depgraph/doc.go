// Package depgraph finds cycles and orders in a dependency graph of ids: the
// cycles to report, a cycle through one id, the strongly connected
// components, and the order in which to stop what depends on what.
//
// It knows nothing of processes: the overseer package builds a Graph from
// the DependsOn of its Cmds, words the errors and starts and stops them.
package depgraph
