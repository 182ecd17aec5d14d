module github.com/overseer-go/overseer

go 1.26.8

require (
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.49.0
)

require (
	github.com/jpillora/backoff v1.1.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
