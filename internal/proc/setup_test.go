package proc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the host encodes in SetupEnv, the wrapper decodes as it was.
func TestSetupEncoding(t *testing.T) {
	for _, s := range []Setup{
		{},
		{Limits: []Limit{{Resource: 7, Value: 1234}, {Resource: 4, Value: ^uint64(0)}}},
		{Nice: -5, Umask: 0, SetUmask: true},
		{Umask: 0o077, SetUmask: true, Cred: &Cred{UID: 65534, GID: 65534, Groups: []uint32{65534, 100}}},
		{Cred: &Cred{UID: 1, GID: 2, Groups: []uint32{}}},
		{Cred: &Cred{UID: 0, GID: 4321, KeepGroups: true}},
	} {
		got, err := decodeSetup(s.encode())
		require.NoError(t, err, s.encode())
		assert.Equal(t, s, got, s.encode())
	}
	for _, bad := range []string{"limit:7", "limit:x:1", "nice:a", "umask:", "cred:1:2", "cred:1:2:x", "other:1"} {
		_, err := decodeSetup(bad)
		assert.Error(t, err, bad)
	}
}
