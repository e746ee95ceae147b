//go:build amd64 && !purego

#include "textflag.h"

// func dotAVX2(x, y []float64) float64
//
// Computes Σ_k x[k]·y[k] over k < len(x); requires len(x) ≥ 4 and
// len(y) ≥ len(x). Clobbers SI, DI, CX, Y0–Y5 (X0–X5), flags.
TEXT ·dotAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

loop16:
	CMPQ CX, $16
	JLT  loop4
	VMOVUPD 0(SI), Y4
	VFMADD231PD 0(DI), Y4, Y0
	VMOVUPD 32(SI), Y5
	VFMADD231PD 32(DI), Y5, Y1
	VMOVUPD 64(SI), Y4
	VFMADD231PD 64(DI), Y4, Y2
	VMOVUPD 96(SI), Y5
	VFMADD231PD 96(DI), Y5, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	JMP  loop16

loop4:
	CMPQ CX, $4
	JLT  tail
	VMOVUPD 0(SI), Y4
	VFMADD231PD 0(DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  loop4

tail:
	// The last len(x) mod 4 products go into lane 0 of Y0. A VEX
	// scalar op clears lanes 2–3 of its destination, so they run in
	// X4 and are added into Y0 whole.
	VXORPD Y4, Y4, Y4

tail1:
	TESTQ CX, CX
	JZ    reduce
	VMOVSD 0(SI), X5
	VFMADD231SD 0(DI), X5, X4
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  tail1

reduce:
	VADDPD Y4, Y0, Y0
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyAVX2(alpha float64, x, y []float64)
//
// Adds alpha·x[k] to y[k] for k < len(x); requires len(x) ≥ 4 and
// len(y) ≥ len(x). Clobbers SI, DI, CX, Y0–Y4 (X0–X4), flags.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSD alpha+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI

loop16:
	CMPQ CX, $16
	JLT  loop4
	VMOVUPD 0(DI), Y1
	VMOVUPD 32(DI), Y2
	VMOVUPD 64(DI), Y3
	VMOVUPD 96(DI), Y4
	VFMADD231PD 0(SI), Y0, Y1
	VFMADD231PD 32(SI), Y0, Y2
	VFMADD231PD 64(SI), Y0, Y3
	VFMADD231PD 96(SI), Y0, Y4
	VMOVUPD Y1, 0(DI)
	VMOVUPD Y2, 32(DI)
	VMOVUPD Y3, 64(DI)
	VMOVUPD Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	JMP  loop16

loop4:
	CMPQ CX, $4
	JLT  tail
	VMOVUPD 0(DI), Y1
	VFMADD231PD 0(SI), Y0, Y1
	VMOVUPD Y1, 0(DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  loop4

tail:
	TESTQ CX, CX
	JZ    done
	VMOVSD 0(DI), X1
	VFMADD231SD 0(SI), X0, X1
	VMOVSD X1, 0(DI)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  tail

done:
	VZEROUPPER
	RET
