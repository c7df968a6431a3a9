//go:build !unix

package main

import "time"

// peakRSSMiB returns 0: the peak resident set size is not measured on this
// system.
func peakRSSMiB() float64 { return 0 }

// cpuTime returns 0: the process CPU time is not measured on this system.
func cpuTime() time.Duration { return 0 }
