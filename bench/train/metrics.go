package main

import "runtime/metrics"

// The runtime/metrics samples a runStats reads.
const (
	mAllocObjects = "/gc/heap/allocs:objects"
	mAllocBytes   = "/gc/heap/allocs:bytes"
	mGCCycles     = "/gc/cycles/total:gc-cycles"
	mCPUGC        = "/cpu/classes/gc/total:cpu-seconds"
	mCPUTotal     = "/cpu/classes/total:cpu-seconds"
	mCPUIdle      = "/cpu/classes/idle:cpu-seconds"
)

// runStats is a snapshot of the Go runtime's cumulative counters.
type runStats struct {
	allocObjects, allocBytes, gcCycles uint64
	cpuGC, cpuTotal, cpuIdle           float64 // seconds
}

// readRunStats returns the runtime's counters now.
func readRunStats() runStats {
	s := []metrics.Sample{
		{Name: mAllocObjects}, {Name: mAllocBytes}, {Name: mGCCycles},
		{Name: mCPUGC}, {Name: mCPUTotal}, {Name: mCPUIdle},
	}
	metrics.Read(s)
	var r runStats
	for _, x := range s {
		switch x.Value.Kind() {
		case metrics.KindUint64:
			v := x.Value.Uint64()
			switch x.Name {
			case mAllocObjects:
				r.allocObjects = v
			case mAllocBytes:
				r.allocBytes = v
			case mGCCycles:
				r.gcCycles = v
			}
		case metrics.KindFloat64:
			v := x.Value.Float64()
			switch x.Name {
			case mCPUGC:
				r.cpuGC = v
			case mCPUTotal:
				r.cpuTotal = v
			case mCPUIdle:
				r.cpuIdle = v
			}
		}
	}
	return r
}

// runDelta is what the runtime did between two snapshots.
type runDelta struct {
	AllocObjects, AllocBytes, GCCycles uint64

	// GCFraction is the share of the CPU time the process used (the
	// runtime's estimate of GOMAXPROCS × wall time less idle time) that
	// went to garbage collection, including assists.
	GCFraction float64
}

// sub returns the activity from a to r.
func (r runStats) sub(a runStats) runDelta {
	d := runDelta{
		AllocObjects: r.allocObjects - a.allocObjects,
		AllocBytes:   r.allocBytes - a.allocBytes,
		GCCycles:     r.gcCycles - a.gcCycles,
	}
	if used := (r.cpuTotal - a.cpuTotal) - (r.cpuIdle - a.cpuIdle); used > 0 {
		d.GCFraction = (r.cpuGC - a.cpuGC) / used
	}
	return d
}
