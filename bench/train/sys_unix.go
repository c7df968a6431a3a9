//go:build unix

package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// peakRSSMiB returns the peak resident set size of the process in MiB: the
// largest of getrusage's ru_maxrss (KiB on Linux and the BSDs, bytes on
// macOS), the VmHWM line of /proc/self/status where there is one (Linux),
// and the values it returned before. The kernel keeps both counts
// approximately (per-thread or per-CPU caches are folded in lazily), so
// two reads may disagree by a few hundred KiB; the running maximum keeps
// the result from decreasing.
func peakRSSMiB() float64 {
	var mib float64
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
			mib = float64(ru.Maxrss) / (1 << 20)
		} else {
			mib = float64(ru.Maxrss) / 1024
		}
	}
	if kib, ok := procStatusKiB("VmHWM:"); ok {
		mib = max(mib, float64(kib)/1024)
	}
	peakMu.Lock()
	defer peakMu.Unlock()
	peakSeen = max(peakSeen, mib)
	return peakSeen
}

var (
	peakMu   sync.Mutex
	peakSeen float64 // the largest value peakRSSMiB has returned
)

// procStatusKiB returns the value of the /proc/self/status line starting
// with key, in KiB.
func procStatusKiB(key string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(key)) {
			continue
		}
		f := bytes.Fields(line[len(key):])
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// cpuTime returns the user plus system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
