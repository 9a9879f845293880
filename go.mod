module github.com/goredis-dev/goredis

go 1.26
