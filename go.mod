module github.com/backprop-go/backprop

go 1.26
