module github.com/overseer-go/overseer

go 1.24

require (
	github.com/go-cmd/cmd v1.4.4
	github.com/jpillora/backoff v1.1.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.33.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
