//go:build unix

package config

import (
	"io/fs"
	"testing"

	"github.com/overseer-go/overseer"
)

// The keys of limits and users set their Cmd fields.
func TestParseLimits(t *testing.T) {
	testParse(t, []parseCase{
		{
			"every key",
			`processes:
  web:
    command: ./web
    memory_limit: 512MiB
    cpu_quota: 50%
    tasks_max: 100
    limits: {nofile: 65536, CORE: 0, stack: unlimited, as: 1GiB, rlimit_nproc: 0x100}
    nice: 5
    umask: "077"
    user: nobody
    user_group: nogroup
`,
			[]want{{name: "web", line: 2, f: defaults(sh("./web"), func(f *fields) {
				f.MemoryLimit = 512 << 20
				f.CPUQuota = 0.5
				f.TasksMax = 100
				f.Limits = map[overseer.Resource]uint64{
					overseer.ResourceNOFILE: 65536, overseer.ResourceCORE: 0, overseer.ResourceSTACK: overseer.Unlimited,
					overseer.ResourceAS: 1 << 30, overseer.ResourceNPROC: 256,
				}
				f.Nice = 5
				f.Umask = 0o077
				f.User, f.UserGroup = "nobody", "nogroup"
			})}},
		},
		{
			"other forms",
			`processes:
  a: {command: x, memory_limit: 1048576, cpu_quota: 1.5, nice: -20, umask: 0027, user: "65534:adm"}
  b: {command: x, cpu_quota: 150%, nice: 19, umask: 22, user: root, limits: {}}
  c: {command: x, cpu_quota: 2, umask: 0, user_group: 4321}
  d: {command: x, umask: "0o7", limits: {nofile: infinity}}
`,
			[]want{
				{name: "a", line: 2, f: defaults(sh("x"), func(f *fields) {
					f.MemoryLimit, f.CPUQuota, f.Nice, f.Umask = 1<<20, 1.5, -20, 0o027
					f.User, f.UserGroup = "65534", "adm"
				})},
				{name: "b", line: 3, f: defaults(sh("x"), func(f *fields) {
					f.CPUQuota, f.Nice, f.Umask, f.User = 1.5, 19, 0o022, "root"
					f.Limits = map[overseer.Resource]uint64{}
				})},
				{name: "c", line: 4, f: defaults(sh("x"), func(f *fields) {
					f.CPUQuota, f.Umask, f.UserGroup = 2, overseer.UmaskNone, "4321"
				})},
				{name: "d", line: 5, f: defaults(sh("x"), func(f *fields) {
					f.Umask = fs.FileMode(0o7)
					f.Limits = map[overseer.Resource]uint64{overseer.ResourceNOFILE: overseer.Unlimited}
				})},
			},
		},
	})
}

// A bad value is reported at its line, for its key.
func TestParseLimitsErrors(t *testing.T) {
	head := "processes:\n  web:\n    command: x\n"
	testParseErrors(t, "f.yaml", []parseError{
		{"memory zero", head + "    memory_limit: 0\n", 4, "web.memory_limit", "want a number above 0"},
		{"memory unit", head + "    memory_limit: 512MB\n", 4, "web.memory_limit", `"512MB" is not a size`},
		{"memory negative", head + "    memory_limit: -1\n", 4, "web.memory_limit", "want a number above 0"},
		{"cpu zero", head + "    cpu_quota: 0%\n", 4, "web.cpu_quota", "want a share of one core above 0"},
		{"cpu negative", head + "    cpu_quota: -0.5\n", 4, "web.cpu_quota", `"-0.5": want a share`},
		{"cpu word", head + "    cpu_quota: half\n", 4, "web.cpu_quota", `"half": want a share`},
		{"cpu percent word", head + "    cpu_quota: x%\n", 4, "web.cpu_quota", `"x%"`},
		{"cpu list", head + "    cpu_quota: [1]\n", 4, "web.cpu_quota", "want a share"},
		{"tasks zero", head + "    tasks_max: 0\n", 4, "web.tasks_max", "want a number above 0"},
		{"tasks text", head + "    tasks_max: many\n", 4, "web.tasks_max", "want a whole number"},
		{"limits list", head + "    limits: [nofile]\n", 4, "web.limits", "want a mapping of resources to limits"},
		{"limit unknown", head + "    limits:\n      nofiles: 10\n", 5, "web.limits.nofiles", "unknown resource (did you mean nofile?)"},
		{"limit unknown far", head + "    limits:\n      memory: 10\n", 5, "web.limits.memory", "unknown resource (known: as, core, cpu"},
		{"limit twice", head + "    limits:\n      nofile: 10\n      NOFILE: 20\n", 6, "web.limits.NOFILE", "nofile is set twice (first on line 5)"},
		{"limit negative", head + "    limits:\n      nofile: -1\n", 5, "web.limits.nofile", `"-1": want a whole number or unlimited`},
		{"limit size for a count", head + "    limits:\n      nofile: 1KiB\n", 5, "web.limits.nofile", `"1KiB": want a whole number or unlimited`},
		{"limit bad size", head + "    limits:\n      stack: 8MB\n", 5, "web.limits.stack", `"8MB": want a size (8MiB, or a number of bytes) or unlimited`},
		{"limit float", head + "    limits:\n      core: 1.5\n", 5, "web.limits.core", `"1.5": want a size`},
		{"limit null", head + "    limits:\n      core:\n", 5, "web.limits.core", `want a size`},
		{"nice high", head + "    nice: 20\n", 4, "web.nice", "20 is not a niceness (-20 to 19)"},
		{"nice low", head + "    nice: -21\n", 4, "web.nice", "-21 is not a niceness"},
		{"nice text", head + "    nice: low\n", 4, "web.nice", "want a whole number"},
		{"umask digit", head + "    umask: \"078\"\n", 4, "web.umask", `"078": want a mask in octal, 0 to 777`},
		{"umask big", head + "    umask: 1000\n", 4, "web.umask", `"1000": want a mask in octal`},
		{"umask negative", head + "    umask: -1\n", 4, "web.umask", `"-1": want a mask in octal`},
		{"umask word", head + "    umask: strict\n", 4, "web.umask", `"strict"`},
		{"user unknown", head + "    user: no-such-user-overseer\n", 4, "web.user", `no user "no-such-user-overseer" here`},
		{"user id unknown", head + "    user: 987654\n", 4, "web.user", `no user "987654" here`},
		{"user empty", head + "    user: \"\"\n", 4, "web.user", `"": want a user, or user:group`},
		{"user empty group", head + "    user: \"nobody:\"\n", 4, "web.user", `want a user, or user:group`},
		{"user group unknown", head + "    user: nobody:no-such-group-overseer\n", 4, "web.user", `no group "no-such-group-overseer" here`},
		{"user list", head + "    user: [nobody]\n", 4, "web.user", `want a string`},
		{"user_group unknown", head + "    user_group: no-such-group-overseer\n", 4, "web.user_group", `no group "no-such-group-overseer" here`},
		{"user_group id", head + "    user_group: 99999999999\n", 4, "web.user_group", `99999999999 is not a group id`},
		{"group twice", head + "    user: nobody:nogroup\n    user_group: adm\n", 5, "web.user_group", "the group is set by user too (on line 4): set it once"},
		{"user_group typo", head + "    usr_group: adm\n", 4, "web.usr_group", "unknown key (did you mean user_group?)"},
	})
}
