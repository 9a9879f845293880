package main

import (
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/clusterbus"
	"github.com/goredis-dev/goredis/engine"
)

// errTLSCluster refuses tls-cluster yes in cluster mode: the bus, the
// ports nodes announce and MIGRATE would have to speak TLS (Redis's
// tls-cluster), and starting with a plaintext bus would be worse than
// not starting.
//
//lint:ignore ST1005 a log line and a CONFIG SET reply, as Redis words them
var errTLSCluster = errors.New("GoRedis does not run the cluster bus over TLS: tls-cluster must be no when cluster-enabled is yes")

// loadClusterState reads nodes.conf (cluster-config-file, relative to
// dir) or makes a new node and saves it, as Redis's clusterInit. A
// corrupted file stops the server.
func loadClusterState(cfg *serverConfig, log *serverLog) (*engine.ClusterOptions, error) {
	path := cfg.params.Get("cluster-config-file")
	now := time.Now().UnixMilli()
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		log.logf(levelWarning, "Loading the cluster node config from %s: %s", path, strerror(err))
		return nil, err
	}
	var st *cluster.State
	if len(data) > 0 {
		st, err = cluster.LoadConfig(data, now)
		if err != nil {
			log.log(levelWarning, "Unrecoverable error: corrupted cluster config file.")
			return nil, err
		}
		log.logf(levelNotice, "Node configuration loaded, I'm %s", st.Myself.Name)
	} else {
		st = cluster.New(cluster.RandomName(), now)
		log.logf(levelNotice, "No cluster configuration found, I'm %s", st.Myself.Name)
		// Saved before the ports are known, as Redis saves it.
		if err := cluster.WriteConfigFile(path, st.ConfigFile()); err != nil {
			log.log(levelWarning, "Fatal: can't update cluster config file.")
			return nil, err
		}
	}
	return &engine.ClusterOptions{
		State:      st,
		SaveConfig: func(b []byte) error { return cluster.WriteConfigFile(path, b) },
		Fatal:      func() { os.Exit(1) },
	}, nil
}

// startClusterBus listens on the bus port (cluster-port, or port+10000)
// and starts the bus.
func startClusterBus(eng *engine.Engine, cfg *serverConfig, bind []string, log *serverLog) (*clusterbus.Bus, error) {
	port, _ := strconv.Atoi(cfg.params.Get("port"))
	cport, _ := strconv.Atoi(cfg.params.Get("cluster-port"))
	if cport == 0 {
		if port > 65535-cluster.PortIncr {
			log.log(levelWarning, "Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.")
			return nil, errors.New("port too high")
		}
		cport = port + cluster.PortIncr
	}
	if len(bind) == 0 {
		log.log(levelWarning, "No bind address is configured, but it is required for the Cluster bus.")
		return nil, errors.New("no bind address")
	}
	bus := clusterbus.New(eng, log.mark)
	if err := bus.Listen(bind, cport); err != nil {
		log.logf(levelWarning, "Failed listening on port %d (cluster), aborting.", cport)
		return nil, err
	}
	eng.SetClusterBus(bus)
	bus.Serve()
	return bus, nil
}
