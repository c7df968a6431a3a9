package main

import (
	"runtime"
	"testing"
)

var sink []byte

func TestReadRunStats(t *testing.T) {
	a := readRunStats()
	for i := range 100 {
		sink = make([]byte, 1024+i)
	}
	runtime.GC()
	b := readRunStats()
	d := b.sub(a)
	if d.AllocObjects < 100 || d.AllocBytes < 100*1024 {
		t.Errorf("after 100 allocations of ≥ 1 KiB: %d objects, %d bytes", d.AllocObjects, d.AllocBytes)
	}
	if d.GCCycles < 1 {
		t.Errorf("after runtime.GC: %d GC cycles", d.GCCycles)
	}
	if b.cpuTotal <= 0 {
		t.Errorf("total CPU time %g s, want > 0", b.cpuTotal)
	}
}

func TestRunStatsSub(t *testing.T) {
	a := runStats{allocObjects: 10, allocBytes: 100, gcCycles: 1, cpuGC: 1, cpuTotal: 10, cpuIdle: 2}
	b := runStats{allocObjects: 15, allocBytes: 180, gcCycles: 3, cpuGC: 2, cpuTotal: 20, cpuIdle: 6}
	// CPU used: (20−10) − (6−2) = 6 s, of which 2−1 = 1 s in the GC.
	want := runDelta{AllocObjects: 5, AllocBytes: 80, GCCycles: 2, GCFraction: 1.0 / 6}
	if got := b.sub(a); got != want {
		t.Errorf("sub = %+v, want %+v", got, want)
	}
	// No CPU time used: no fraction.
	if got := a.sub(a); got != (runDelta{}) {
		t.Errorf("sub of equal snapshots = %+v, want zero", got)
	}
}
