package engine

import (
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// latencyHist is a per-command latency histogram with the layout of the
// HdrHistogram Redis uses (values in nanoseconds from 1 to 1e9, two
// significant digits), so LATENCY HISTOGRAM and INFO latencystats report
// the same bucket values Redis reports.
type latencyHist struct {
	counts []int64
	total  int64
}

const (
	histSubBucketHalfMag = 7
	histSubBucketHalf    = 1 << histSubBucketHalfMag // 128
	histSubBucketMask    = 2*histSubBucketHalf - 1   // 255
	histMaxValue         = 1_000_000_000
	histCounts           = 3072 // enough indexes for histMaxValue
)

func histBucket(v int64) int {
	return 64 - bits.LeadingZeros64(uint64(v)|histSubBucketMask) - (histSubBucketHalfMag + 1)
}

func histIndex(v int64) int {
	b := histBucket(v)
	sb := int(v >> uint(b))
	return (b+1)<<histSubBucketHalfMag + sb - histSubBucketHalf
}

// histValueAt is the lowest value of counts index i, and the size of its
// range of equivalent values.
func histValueAt(i int) (low, size int64) {
	b := i>>histSubBucketHalfMag - 1
	sb := i&(histSubBucketHalf-1) + histSubBucketHalf
	if b < 0 {
		sb -= histSubBucketHalf
		b = 0
	}
	return int64(sb) << uint(b), 1 << uint(b)
}

// highestEquivalent is the largest value counted in the same slot as v.
func highestEquivalent(v int64) int64 {
	low, size := histValueAt(histIndex(v))
	return low + size - 1
}

func (h *latencyHist) record(ns int64) {
	ns = min(max(ns, 1), histMaxValue)
	if h.counts == nil {
		h.counts = make([]int64, histCounts)
	}
	h.counts[histIndex(ns)]++
	h.total++
}

// percentile is hdr_value_at_percentile: the highest equivalent value of
// the sample at the requested percentile.
func (h *latencyHist) percentile(p float64) int64 {
	want := max(int64(p/100*float64(h.total)+0.5), 1)
	var seen int64
	for i, n := range h.counts {
		seen += n
		if n > 0 && seen >= want {
			low, size := histValueAt(i)
			return low + size - 1
		}
	}
	return 0
}

// logBuckets is what LATENCY HISTOGRAM shows: cumulative counts at
// reporting levels 1024 ns * 2^k, keyed by the level's highest equivalent
// value in microseconds, only where the count grew.
func (h *latencyHist) logBuckets() (keys, counts []int64) {
	var prev int64
	for level := int64(1024); ; level *= 2 {
		he := highestEquivalent(level)
		var cum int64
		for i, n := range h.counts {
			if n == 0 {
				continue
			}
			if low, _ := histValueAt(i); low <= he {
				cum += n
			}
		}
		if cum > prev {
			keys = append(keys, he/1000)
			counts = append(counts, cum)
		}
		prev = cum
		if cum >= h.total || level > histMaxValue {
			return keys, counts
		}
	}
}

// trackLatency records one call's duration for the command's histogram.
func (e *Engine) trackLatency(cmd *Command, us int64) {
	st := e.stat(cmd)
	if h := st.hist; h != nil {
		h.record(us * 1000)
		return
	}
	if e.srv.hists == nil {
		e.srv.hists = map[*Command]*latencyHist{}
	}
	h := e.srv.hists[cmd]
	if h == nil {
		h = &latencyHist{}
		e.srv.hists[cmd] = h
	}
	st.hist = h
	// Like Redis, microseconds are recorded as nanoseconds.
	h.record(us * 1000)
}

// LATENCY HISTOGRAM [command ...]
func cmdLatencyHistogram(s *Session, args [][]byte) {
	e := s.e
	var cmds []*Command
	if len(args) == 2 {
		for c, h := range e.srv.hists {
			if h.total > 0 {
				cmds = append(cmds, c)
			}
		}
		sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	} else {
		seen := map[*Command]bool{}
		for _, a := range args[2:] {
			c := e.lookupFullName(string(a))
			if c == nil {
				continue
			}
			list := []*Command{c}
			if len(c.subs) > 0 {
				list = c.sortedSubs()
			}
			for _, c := range list {
				if h := e.srv.hists[c]; h != nil && h.total > 0 && !seen[c] {
					seen[c] = true
					cmds = append(cmds, c)
				}
			}
		}
	}
	s.w.Map(len(cmds))
	for _, c := range cmds {
		h := e.srv.hists[c]
		s.w.BulkString(c.Name)
		s.w.Map(2)
		s.w.BulkString("calls")
		s.w.Int(h.total)
		s.w.BulkString("histogram_usec")
		keys, counts := h.logBuckets()
		s.w.Map(len(keys))
		for i := range keys {
			s.w.Int(keys[i])
			s.w.Int(counts[i])
		}
	}
}

func (e *Engine) infoLatencyStats(b *infoBuilder) {
	v, _ := e.config.get("latency-tracking-info-percentiles")
	var ps []float64
	for _, f := range strings.Fields(v) {
		if p, err := strconv.ParseFloat(f, 64); err == nil {
			ps = append(ps, p)
		}
	}
	var cmds []*Command
	for c, h := range e.srv.hists {
		if h.total > 0 {
			cmds = append(cmds, c)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		h := e.srv.hists[c]
		var sb strings.Builder
		for i, p := range ps {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("p" + strconv.FormatFloat(p, 'f', -1, 64) + "=")
			sb.WriteString(strconv.FormatFloat(float64(h.percentile(p))/1000, 'f', 3, 64))
		}
		b.field("latency_percentiles_usec_"+c.Name, sb.String())
	}
}
