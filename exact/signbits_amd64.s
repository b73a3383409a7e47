//go:build amd64 && !purego

#include "textflag.h"

// func dots16(wt []float64, x []float64, out *[16]float64)
//
// out[q] = Σ_c wt[16c + q]·x[c], c = 0 … len(x) − 1, for q < 16, each sum
// recursive in c from +0: per lane one MULPD and one ADDPD, the float64
// operations of dots16Go in the same order (SSE2, no fused multiply-add).
TEXT ·dots16(SB), NOSPLIT, $0-56
	MOVQ wt_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ x_len+32(FP), CX
	MOVQ out+48(FP), DX
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3
	XORPD X4, X4
	XORPD X5, X5
	XORPD X6, X6
	XORPD X7, X7
	TESTQ CX, CX
	JZ done

loop:
	MOVSD (DI), X8
	UNPCKLPD X8, X8
	MOVUPD 0(SI), X9
	MULPD X8, X9
	ADDPD X9, X0
	MOVUPD 16(SI), X10
	MULPD X8, X10
	ADDPD X10, X1
	MOVUPD 32(SI), X11
	MULPD X8, X11
	ADDPD X11, X2
	MOVUPD 48(SI), X12
	MULPD X8, X12
	ADDPD X12, X3
	MOVUPD 64(SI), X9
	MULPD X8, X9
	ADDPD X9, X4
	MOVUPD 80(SI), X10
	MULPD X8, X10
	ADDPD X10, X5
	MOVUPD 96(SI), X11
	MULPD X8, X11
	ADDPD X11, X6
	MOVUPD 112(SI), X12
	MULPD X8, X12
	ADDPD X12, X7
	ADDQ $128, SI
	ADDQ $8, DI
	DECQ CX
	JNZ loop

done:
	MOVUPD X0, 0(DX)
	MOVUPD X1, 16(DX)
	MOVUPD X2, 32(DX)
	MOVUPD X3, 48(DX)
	MOVUPD X4, 64(DX)
	MOVUPD X5, 80(DX)
	MOVUPD X6, 96(DX)
	MOVUPD X7, 112(DX)
	RET
