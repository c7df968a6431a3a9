// Command gemm measures the float32 GEMM of internal/kernel in GFLOP/s and,
// given the OpenBLAS program built from openblas/sgemm_openblas.c, runs OpenBLAS's
// cblas_sgemm on the same shapes, one shape at a time right before ours,
// and prints the ratio.
//
// Usage:
//
//	go run ./bench/gemm [-threads 1,2] [-reps 5] [-shapes 64x64x64,784x256x64:TN] [-openblas ./sgemm_openblas]
//
// A shape MxNxK multiplies an M×K op(A) by a K×N op(B); a suffix :TN, :NT
// or :TT transposes A, B or both as stored. bench/run_gemm.sh builds the
// OpenBLAS side and runs both.
//
// Both sides are timed alike: a 50 ms calibration, then -reps repetitions
// of at least 150 ms of back-to-back calls each; the median is reported.
// OpenBLAS runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
// its environment, so it picks its AVX-512 kernel on machines that have it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backprop-go/backprop/internal/kernel"
)

// defaultShapes are the square sizes of the issue and the products of an
// MLP's training step: the 784→256 layer at batch 64 forward (A·B), its
// weight gradient (Aᵀ·B) and input gradient (A·Bᵀ), the 10-class head at
// batch 64 and 256, and a thin 4096×32·32×16 product.
const defaultShapes = "64x64x64,128x128x128,256x256x256,512x512x512,1024x1024x1024,2048x2048x2048," +
	"64x256x784,784x256x64:TN,64x784x256:NT,64x10x128,256x10x128,4096x16x32,512x512x512:TN,512x512x512:NT"

type shape struct {
	name           string
	m, n, k        int
	transA, transB bool
}

func parseShape(s string) (shape, error) {
	sh := shape{name: s}
	dims, tr, _ := strings.Cut(s, ":")
	if _, err := fmt.Sscanf(dims, "%dx%dx%d", &sh.m, &sh.n, &sh.k); err != nil || sh.m < 1 || sh.n < 1 || sh.k < 1 {
		return sh, fmt.Errorf("shape %q: want MxNxK with positive sizes", s)
	}
	switch tr {
	case "", "NN":
	case "TN":
		sh.transA = true
	case "NT":
		sh.transB = true
	case "TT":
		sh.transA, sh.transB = true, true
	default:
		return sh, fmt.Errorf("shape %q: transposes %q are not NN, TN, NT or TT", s, tr)
	}
	return sh, nil
}

// measure times f like sgemm_openblas.c and returns the median GFLOP/s.
func measure(flop float64, reps int, f func()) float64 {
	f()
	start := time.Now()
	calls := 0
	for time.Since(start) < 50*time.Millisecond {
		f()
		calls++
	}
	per := time.Since(start).Seconds() / float64(calls)
	iters := max(1, int(0.15/per))
	g := make([]float64, reps)
	for r := range g {
		s := time.Now()
		for range iters {
			f()
		}
		g[r] = flop * float64(iters) / time.Since(s).Seconds() / 1e9
	}
	slices.Sort(g)
	return g[reps/2]
}

func ours(sh shape, reps int) float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	mat := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32() - 0.5
		}
		return x
	}
	a, b, c := mat(sh.m*sh.k), mat(sh.k*sh.n), make([]float32, sh.m*sh.n)
	lda, ldb := sh.k, sh.n
	if sh.transA {
		lda = sh.m
	}
	if sh.transB {
		ldb = sh.k
	}
	flop := 2 * float64(sh.m) * float64(sh.n) * float64(sh.k)
	return measure(flop, reps, func() {
		kernel.Gemm(sh.transA, sh.transB, sh.m, sh.n, sh.k, 1, a, lda, b, ldb, 0, c, sh.n)
	})
}

// openblas runs the C program for all shapes at one thread count and
// returns the median GFLOP/s by shape and its header line.
func openblas(prog string, threads, reps int, shapes []shape) (map[string]float64, string, error) {
	args := []string{strconv.Itoa(reps)}
	for _, s := range shapes {
		args = append(args, s.name)
	}
	cmd := exec.Command(prog, args...)
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "OPENBLAS_CORETYPE" && k != "OPENBLAS_L2_SIZE" && k != "OPENBLAS_NUM_THREADS" && k != "OMP_NUM_THREADS" {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "OPENBLAS_NUM_THREADS="+strconv.Itoa(threads))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("run %s: %w", prog, err)
	}
	res := map[string]float64{}
	header := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			header = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			continue
		}
		var r struct {
			Shape  string
			Median float64
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, "", fmt.Errorf("parse %s output %q: %w", prog, line, err)
		}
		res[r.Shape] = r.Median
	}
	return res, header, nil
}

func main() {
	log.SetFlags(0)
	threadsFlag := flag.String("threads", "1,2", "comma-separated thread counts (GOMAXPROCS and OPENBLAS_NUM_THREADS)")
	reps := flag.Int("reps", 5, "repetitions per shape; the median is reported")
	shapesFlag := flag.String("shapes", defaultShapes, "comma-separated shapes MxNxK[:TN|:NT|:TT]")
	prog := flag.String("openblas", "", "path of the program built from sgemm_openblas.c (none: ours only)")
	flag.Parse()

	var shapes []shape
	for _, s := range strings.Split(*shapesFlag, ",") {
		sh, err := parseShape(strings.TrimSpace(s))
		if err != nil {
			log.Fatal(err)
		}
		shapes = append(shapes, sh)
	}
	var threads []int
	for _, s := range strings.Split(*threadsFlag, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || t < 1 {
			log.Fatalf("bad thread count %q", s)
		}
		threads = append(threads, t)
	}

	fmt.Printf("# kernel path %v, GOARCH %s, %d CPUs\n", kernel.CurrentPath(), runtime.GOARCH, runtime.NumCPU())
	if *prog != "" {
		fmt.Println("| shape | threads | ours GFLOP/s | OpenBLAS GFLOP/s | ratio |")
		fmt.Println("|---|---:|---:|---:|---:|")
	} else {
		fmt.Println("| shape | threads | ours GFLOP/s |")
		fmt.Println("|---|---:|---:|")
	}
	var headers []string
	for _, t := range threads {
		runtime.GOMAXPROCS(t)
		for _, sh := range shapes {
			// OpenBLAS and ours back to back per shape, so that a burst of
			// other load on the machine hits both sides alike.
			var o float64
			if *prog != "" {
				ob, h, err := openblas(*prog, t, *reps, []shape{sh})
				if err != nil {
					log.Fatal(err)
				}
				if len(headers) == 0 || headers[len(headers)-1] != h {
					headers = append(headers, h)
				}
				o = ob[sh.name]
			}
			g := ours(sh, *reps)
			if *prog == "" {
				fmt.Printf("| %s | %d | %.1f |\n", sh.name, t, g)
				continue
			}
			fmt.Printf("| %s | %d | %.1f | %.1f | %.2f |\n", sh.name, t, g, o, g/o)
		}
	}
	for _, h := range headers {
		fmt.Printf("# OpenBLAS: %s\n", h)
	}
}
