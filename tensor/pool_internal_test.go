package tensor

import "testing"

func TestSizeClasses(t *testing.T) {
	prev := 0
	for n := 0; n <= 1<<20; n += 1 + n/7 {
		c := sizeClass(n)
		size := classSize(c)
		if size < n {
			t.Fatalf("class %d of %d elements holds only %d", c, n, size)
		}
		if n > minClassSize && 4*size > 5*n+4*minClassSize && size > n*5/4 {
			t.Fatalf("class %d of %d elements holds %d: more than a quarter wasted", c, n, size)
		}
		if sizeClass(size) != c {
			t.Fatalf("class size %d maps to class %d, not %d", size, sizeClass(size), c)
		}
		if c < prev {
			t.Fatalf("classes not monotonic at %d", n)
		}
		prev = c
	}
	// The boundaries: 16 is the first class, 17…20 the next.
	for _, c := range []struct{ n, size int }{{1, 16}, {16, 16}, {17, 20}, {20, 20}, {21, 24}, {32, 32}, {33, 40}, {1000, 1024}, {1025, 1280}} {
		if got := classSize(sizeClass(c.n)); got != c.size {
			t.Errorf("class size for %d = %d, want %d", c.n, got, c.size)
		}
	}
}

func TestArenaReusesBuffers(t *testing.T) {
	a := NewArena()
	x := Ones(Float32, 100).InArena(a)
	y := x.Exp()
	first := &y.st.f32[:1][0]
	a.Reset()
	z := Ones(Float32, 110).InArena(a).Exp() // same size class (112) as 100
	if &z.st.f32[:1][0] != first {
		t.Fatal("the arena did not reuse a free buffer of the same class")
	}
	if len(a.used) != 1 {
		t.Fatalf("arena tracks %d buffers, want 1", len(a.used))
	}
	// Zeroed allocations from reused buffers are zero.
	a.Reset()
	x.InArena(a).Exp()
	a.Reset()
	if s := newTensor(a, Float32, []int{100}, true).st.f32; s[0] != 0 || s[99] != 0 {
		t.Fatal("a zeroed arena tensor holds old values")
	}
}
