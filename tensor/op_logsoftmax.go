package tensor

// logSoftmaxOp is y = x − log Σ exp x along one axis. Since ∂yᵢ/∂xⱼ =
// δᵢⱼ − softmax(x)ⱼ, dL/dx = dL/dy − softmax(x) · Σ dL/dy, the sum running
// along the axis, with softmax(x) = exp(y). y is the recorded output, so
// the rule can be differentiated again.
type logSoftmaxOp struct {
	axis int
	out  *Tensor
}

func (o *logSoftmaxOp) backward(g *Tensor, _ []bool) []*Tensor {
	return []*Tensor{g.Sub(g.SumKeepDim(o.axis).Mul(saved(g, o.out).Exp()))}
}

// LogSoftmax returns log(Softmax(t)) along axis, computed stably as
// t − max − log Σ exp(t − max), so that inputs such as 1000 and −1000 give
// finite results (0 and −2000). t must be a floating-point tensor.
func (t *Tensor) LogSoftmax(axis int) *Tensor {
	if t.Dim() == 0 {
		scalarAxis("LogSoftmax", t, axis)
		return t.Reshape(1).LogSoftmax(0).Reshape()
	}
	out := softmaxForward("LogSoftmax", t, axis, true)
	return record(out, "LogSoftmax", &logSoftmaxOp{axis: t.axis("LogSoftmax", axis), out: out}, t)
}
