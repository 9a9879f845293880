package engine

import (
	"fmt"
	"strings"
)

// LATENCY DOCTOR and LATENCY GRAPH: the latency monitor's events explained
// in words and drawn as an ASCII sparkline, in the words and shapes of
// Redis 7.0's latency.c and sparkline.c.

// LATENCY DOCTOR
func cmdLatencyDoctor(s *Session, args [][]byte) {
	s.w.Verbatim("txt", s.e.latencyReport())
}

// LATENCY GRAPH event
func cmdLatencyGraph(s *Session, args [][]byte) {
	name := string(args[2])
	ev := s.e.srv.latency[name]
	if ev == nil || len(ev.samples) == 0 {
		s.w.Error("ERR No samples available for event '" + name + "'")
		return
	}
	s.w.Verbatim("txt", s.e.latencyGraph(name, ev))
}

// latencyStats is Redis's analyzeLatencyForEvent: the samples' average,
// mean absolute deviation and the seconds they span.
type latencyStats struct {
	samples       int
	avg, mad      int64
	periodSeconds int64
}

func (e *Engine) analyzeLatency(ev *latencyEvent) latencyStats {
	var ls latencyStats
	var sum, oldest int64
	for _, smp := range ev.samples {
		ls.samples++
		sum += smp.duration
		if oldest == 0 || smp.time < oldest {
			oldest = smp.time
		}
	}
	if ls.samples == 0 {
		return ls
	}
	ls.avg = sum / int64(ls.samples)
	ls.periodSeconds = e.nowMs/1000 - oldest
	if ls.periodSeconds == 0 {
		ls.periodSeconds = 1
	}
	var dev int64
	for _, smp := range ev.samples {
		d := ls.avg - smp.duration
		if d < 0 {
			d = -d
		}
		dev += d
	}
	ls.mad = dev / int64(ls.samples)
	return ls
}

// latencyAdvice names the advice lines of the report, in the order Redis
// prints them.
type latencyAdvice struct {
	slowlogEnabled, slowlogTuning, slowlogInspect bool
	scheduler, localDisk, ssd, dataWriteback      bool
	diskContention, noAppendfsync, relaxFsync     bool
	writeLoadInfo, hz, largeObjects, massEviction bool
}

// latencyReport is Redis's createLatencyReport. GoRedis never forks, so
// the fork advice never applies; the transparent huge pages check reads
// the process's memory maps, which the engine (also built for the
// browser) does not, so that advice is left out.
func (e *Engine) latencyReport() string {
	st := &e.srv
	threshold := e.config.latencyThreshold
	if len(st.latency) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var b strings.Builder
	var adv latencyAdvice
	advices, n := 0, 0
	for _, name := range st.latencyEvents() {
		ev := st.latency[name]
		n++
		if n == 1 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		ls := e.analyzeLatency(ev)
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			n, name, ls.samples, ls.avg, ls.mad, float64(ls.periodSeconds)/float64(ls.samples), ev.max)
		switch name {
		case "command":
			if slower := e.config.slowlogSlowerThan; slower < 0 {
				adv.slowlogEnabled = true
				advices++
			} else if slower/1000 > threshold {
				adv.slowlogTuning = true
				advices++
			}
			adv.slowlogInspect, adv.largeObjects = true, true
			advices += 2
		case "fast-command":
			adv.scheduler = true
			advices++
		case "aof-write-pending-fsync":
			adv.localDisk, adv.diskContention, adv.ssd, adv.dataWriteback = true, true, true, true
			advices += 4
		case "aof-write-active-child":
			adv.noAppendfsync, adv.dataWriteback, adv.ssd = true, true, true
			advices += 3
		case "aof-write-alone":
			adv.localDisk, adv.dataWriteback, adv.ssd = true, true, true
			advices += 3
		case "aof-fsync-always":
			adv.relaxFsync = true
			advices++
		case "aof-fstat", "rdb-unlink-temp-file":
			adv.diskContention, adv.localDisk = true, true
			advices += 2
		case "aof-rewrite-diff-write", "aof-rename":
			adv.writeLoadInfo, adv.dataWriteback, adv.ssd, adv.localDisk = true, true, true, true
			advices += 4
		case "expire-cycle":
			adv.hz, adv.largeObjects = true, true
			advices += 2
		case "eviction-del":
			adv.largeObjects = true
			advices++
		case "eviction-cycle":
			adv.massEviction = true
			advices++
		}
		b.WriteByte('\n')
	}
	switch {
	case n == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
	case advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
	default:
		b.WriteString("\nI have a few advices for you:\n\n")
		e.writeLatencyAdvice(&b, &adv, threshold)
	}
	return b.String()
}

func (e *Engine) writeLatencyAdvice(b *strings.Builder, adv *latencyAdvice, threshold int64) {
	if adv.slowlogEnabled {
		fmt.Fprintf(b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if adv.slowlogTuning {
		fmt.Fprintf(b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if adv.slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if adv.scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if adv.localDisk {
		b.WriteString("- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n")
	}
	if adv.ssd {
		b.WriteString("- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n")
	}
	if adv.dataWriteback {
		b.WriteString("- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n")
	}
	if adv.diskContention {
		b.WriteString("- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n")
	}
	if adv.noAppendfsync {
		b.WriteString("- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n")
	}
	if adv.relaxFsync {
		if v, _ := e.config.get("appendfsync"); v == "always" {
			b.WriteString("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n")
		}
	}
	if adv.writeLoadInfo {
		b.WriteString("- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n")
	}
	if adv.hz && e.config.int("hz") < 100 {
		b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
	}
	if adv.largeObjects {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	if adv.massEviction {
		b.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
	}
}

// latencyGraphColumns is the sparkline's width (LATENCY_GRAPH_COLS).
const latencyGraphColumns = 80

// latencyGraph is Redis's latencyCommandGenSparkeline: a header with the
// extremes, a rule, and four rows of sparkline over labels telling how
// long ago each sample was taken.
func (e *Engine) latencyGraph(name string, ev *latencyEvent) string {
	var seq sparkline
	var lo, hi int64
	nowSec := e.nowMs / 1000
	for i, smp := range ev.samples {
		if i == 0 {
			lo, hi = smp.duration, smp.duration
		} else {
			lo, hi = min(lo, smp.duration), max(hi, smp.duration)
		}
		elapsed := nowSec - smp.time
		var label string
		switch {
		case elapsed < 60:
			label = fmt.Sprintf("%ds", elapsed)
		case elapsed < 3600:
			label = fmt.Sprintf("%dm", elapsed/60)
		case elapsed < 3600*24:
			label = fmt.Sprintf("%dh", elapsed/3600)
		default:
			label = fmt.Sprintf("%dd", elapsed/(3600*24))
		}
		seq.add(float64(smp.duration), label)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", name, hi, lo, ev.max)
	b.WriteString(strings.Repeat("-", latencyGraphColumns))
	b.WriteByte('\n')
	seq.render(&b, latencyGraphColumns, 4)
	return b.String()
}

// sparkline is sparkline.c's sequence, drawn with its fill charset.
type sparkline struct {
	values   []float64
	labels   []string
	labelled int
	lo, hi   float64
}

func (q *sparkline) add(v float64, label string) {
	if len(q.values) == 0 {
		q.lo, q.hi = v, v
	} else if v < q.lo {
		q.lo = v
	} else if v > q.hi {
		q.hi = v
	}
	q.values = append(q.values, v)
	q.labels = append(q.labels, label)
	if label != "" {
		q.labelled++
	}
}

// render draws the sequence in chunks of columns samples (sparklineRender
// with SPARKLINE_FILL).
func (q *sparkline) render(b *strings.Builder, columns, rows int) {
	for j := 0; j < len(q.values); j += columns {
		if j != 0 {
			b.WriteByte('\n')
		}
		q.renderRange(b, rows, j, min(columns, len(q.values)-j))
	}
}

func (q *sparkline) renderRange(b *strings.Builder, rows, offset, n int) {
	const fill = "_o#"
	const labelMarginTop = 1
	relmax := q.hi - q.lo
	if relmax == 0 {
		relmax = 1
	}
	steps := len(fill) * rows
	chars := make([]byte, n)
	for row := 0; ; row++ {
		more := false
		for j := range chars {
			chars[j] = ' '
		}
		for j := 0; j < n; j++ {
			v := q.values[offset+j]
			// (int)(relval*steps)/relmax, as sparkline.c computes it
			step := int(float64(int((v-q.lo)*float64(steps))) / relmax)
			step = max(0, min(step, steps-1))
			if row < rows {
				more = true
				idx := step - (rows-row-1)*len(fill)
				if idx >= 0 && idx < len(fill) {
					chars[j] = fill[idx]
				} else if idx >= len(fill) {
					chars[j] = '|'
				}
				continue
			}
			if q.labelled > 0 && row-rows < labelMarginTop {
				more = true
				break
			}
			if label := q.labels[offset+j]; label != "" {
				if at := row - rows - labelMarginTop; len(label) > at {
					more = true
					chars[j] = label[at]
				}
			}
		}
		if !more {
			return
		}
		b.Write(chars)
		b.WriteByte('\n')
	}
}
