//go:build amd64 && !purego

#include "textflag.h"

// For each entry j, ratioAccumAVX2 takes the factor row m[idx[j]·K:]
// (K = len(acc)), prefetches the row of entry j+prefetchAhead into L1
// (the hardware cannot guess an indexed row), and runs over the row with
// a byte offset in CX, sixteen, then four, then one element at a time.
// Indexing through CX lets the row pointer, the fixed vector and the
// accumulator each stay in one register for the whole call.

// How many entries ahead the rows are prefetched. Prefetching at all
// took a two-sided pass at K = 50 on the synthetic matrix from 1.7–2.1
// to 1.2–1.4 ns per non-zero per factor; 1 ahead was slower than 4, and
// 2 to 16 measured alike within this machine's noise.
#define prefetchAhead 4

// func ratioAccumAVX2(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int)
//
// For each entry j < len(idx), with row = m[idx[j]·K : (idx[j]+1)·K] and
// K = len(acc):
//
//	s[j] = Σ_k f[k]·row[k]
//	acc += (x[j] / s[j]) · row     when s[j] ≥ under
//
// An entry whose s[j] is below under, or NaN, adds nothing and is
// counted in missed; the caller finds it in s. Requires len(f) ≥ K ≥ 1, len(x), len(s) ≥ len(idx), and
// every idx[j] a row of m. The dot product sums in four 4-lane FMA
// accumulators (lanes summed at the end), each update is a fused
// multiply-add. Entries go two at a time (see entry below), the last one
// alone. Clobbers AX, BX, CX, DX, SI, DI, R8–R14, Y0–Y12 (X0–X12), flags.
TEXT ·ratioAccumAVX2(SB), NOSPLIT, $0-160
	MOVQ f_base+0(FP), SI
	MOVQ m_base+24(FP), DI
	MOVQ idx_base+48(FP), R8
	MOVQ idx_len+56(FP), R12
	MOVQ x_base+72(FP), R9
	MOVQ acc_base+96(FP), R10
	MOVQ acc_len+104(FP), R14
	SHLQ $3, R14
	MOVQ s_base+120(FP), R11
	VMOVSD under+144(FP), X12
	VMOVDDUP X12, X12 // under in both lanes, for two entries at once
	MOVQ $0, missed+152(FP)
	XORQ BX, BX

entry:
	LEAQ 2(BX), AX
	CMPQ AX, R12
	JGT  single

	// Two entries at once, BX and BX+1: both dot products interleaved,
	// each summed exactly as the one-entry path sums it (the same four
	// accumulators, the same tail and reduction), one division for both,
	// and one pass over acc adding both rows in entry order; so the
	// results are bit for bit those of two one-entry steps, with a third
	// fewer loads and half the stores to acc. A missed entry's ratio is
	// zeroed: it adds 0·row, which leaves acc as it is.
	LEAQ (prefetchAhead+0)(BX), AX
	CMPQ AX, R12
	JGE  ppf1done
	MOVLQSX (R8)(AX*4), AX
	IMULQ R14, AX
	ADDQ DI, AX
	LEAQ -8(AX)(R14*1), CX

ppf1:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JLE  ppf1
	PREFETCHT0 (CX)

ppf1done:
	LEAQ (prefetchAhead+1)(BX), AX
	CMPQ AX, R12
	JGE  ppf2done
	MOVLQSX (R8)(AX*4), AX
	IMULQ R14, AX
	ADDQ DI, AX
	LEAQ -8(AX)(R14*1), CX

ppf2:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JLE  ppf2
	PREFETCHT0 (CX)

ppf2done:
	MOVLQSX (R8)(BX*4), DX
	IMULQ R14, DX
	ADDQ DI, DX
	MOVLQSX 4(R8)(BX*4), R13
	IMULQ R14, R13
	ADDQ DI, R13
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ CX, CX
	LEAQ -128(R14), AX

pdot16:
	CMPQ CX, AX
	JGT  pdot4
	VMOVUPD 0(SI)(CX*1), Y8
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VFMADD231PD 0(R13)(CX*1), Y8, Y4
	VMOVUPD 32(SI)(CX*1), Y9
	VFMADD231PD 32(DX)(CX*1), Y9, Y1
	VFMADD231PD 32(R13)(CX*1), Y9, Y5
	VMOVUPD 64(SI)(CX*1), Y8
	VFMADD231PD 64(DX)(CX*1), Y8, Y2
	VFMADD231PD 64(R13)(CX*1), Y8, Y6
	VMOVUPD 96(SI)(CX*1), Y9
	VFMADD231PD 96(DX)(CX*1), Y9, Y3
	VFMADD231PD 96(R13)(CX*1), Y9, Y7
	ADDQ $128, CX
	JMP  pdot16

pdot4:
	LEAQ -32(R14), AX
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

pdot4loop:
	CMPQ CX, AX
	JGT  pdot1
	VMOVUPD 0(SI)(CX*1), Y8
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VFMADD231PD 0(R13)(CX*1), Y8, Y4
	ADDQ $32, CX
	JMP  pdot4loop

pdot1:
	CMPQ CX, R14
	JGE  preduce
	VMOVSD 0(SI)(CX*1), X8
	VFMADD231SD 0(DX)(CX*1), X8, X10
	VFMADD231SD 0(R13)(CX*1), X8, X11
	ADDQ $8, CX
	JMP  pdot1

preduce:
	VADDPD Y10, Y0, Y0
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VADDPD Y11, Y4, Y4
	VADDPD Y5, Y4, Y4
	VADDPD Y7, Y6, Y6
	VADDPD Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPD X5, X4, X4
	VPERMILPD $1, X4, X5
	VADDSD X5, X4, X4
	VUNPCKLPD X4, X0, X2 // (s[BX], s[BX+1])
	VMOVUPD X2, 0(R11)(BX*8)
	VCMPPD $0x1d, X12, X2, X3 // s ≥ under (ordered: NaN is missed)
	VMOVUPD 0(R9)(BX*8), X7
	VDIVPD X2, X7, X7
	VANDPD X3, X7, X7         // the ratios, 0 where missed
	VMOVMSKPD X3, AX
	CMPQ AX, $3
	JEQ  pupd
	XORQ $3, AX
	POPCNTQ AX, AX
	ADDQ AX, missed+152(FP)

pupd:
	VBROADCASTSD X7, Y8
	VPERMPD $0x55, Y7, Y9
	XORQ CX, CX
	LEAQ -128(R14), AX

pupd16:
	CMPQ CX, AX
	JGT  pupd4
	VMOVUPD 0(R10)(CX*1), Y0
	VMOVUPD 32(R10)(CX*1), Y1
	VMOVUPD 64(R10)(CX*1), Y2
	VMOVUPD 96(R10)(CX*1), Y3
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VFMADD231PD 32(DX)(CX*1), Y8, Y1
	VFMADD231PD 64(DX)(CX*1), Y8, Y2
	VFMADD231PD 96(DX)(CX*1), Y8, Y3
	VFMADD231PD 0(R13)(CX*1), Y9, Y0
	VFMADD231PD 32(R13)(CX*1), Y9, Y1
	VFMADD231PD 64(R13)(CX*1), Y9, Y2
	VFMADD231PD 96(R13)(CX*1), Y9, Y3
	VMOVUPD Y0, 0(R10)(CX*1)
	VMOVUPD Y1, 32(R10)(CX*1)
	VMOVUPD Y2, 64(R10)(CX*1)
	VMOVUPD Y3, 96(R10)(CX*1)
	ADDQ $128, CX
	JMP  pupd16

pupd4:
	LEAQ -32(R14), AX

pupd4loop:
	CMPQ CX, AX
	JGT  pupd1
	VMOVUPD 0(R10)(CX*1), Y0
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VFMADD231PD 0(R13)(CX*1), Y9, Y0
	VMOVUPD Y0, 0(R10)(CX*1)
	ADDQ $32, CX
	JMP  pupd4loop

pupd1:
	CMPQ CX, R14
	JGE  pnext
	VMOVSD 0(R10)(CX*1), X0
	VFMADD231SD 0(DX)(CX*1), X8, X0
	VFMADD231SD 0(R13)(CX*1), X9, X0
	VMOVSD X0, 0(R10)(CX*1)
	ADDQ $8, CX
	JMP  pupd1

pnext:
	ADDQ $2, BX
	JMP  entry

single:
	CMPQ BX, R12
	JGE  done
	LEAQ -128(R14), R13 // the last offset a 16-element step may start at
	// Prefetch the row of entry BX+prefetchAhead, every line of it.
	LEAQ prefetchAhead(BX), AX
	CMPQ AX, R12
	JGE  rpfdone
	MOVLQSX (R8)(AX*4), AX
	IMULQ R14, AX
	ADDQ DI, AX
	LEAQ -8(AX)(R14*1), CX

rpf:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JLE  rpf
	PREFETCHT0 (CX)

rpfdone:
	MOVLQSX (R8)(BX*4), DX
	IMULQ R14, DX
	ADDQ DI, DX

	// s = f · row
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ CX, CX

dot16:
	CMPQ CX, R13
	JGT  dot4
	VMOVUPD 0(SI)(CX*1), Y4
	VFMADD231PD 0(DX)(CX*1), Y4, Y0
	VMOVUPD 32(SI)(CX*1), Y5
	VFMADD231PD 32(DX)(CX*1), Y5, Y1
	VMOVUPD 64(SI)(CX*1), Y4
	VFMADD231PD 64(DX)(CX*1), Y4, Y2
	VMOVUPD 96(SI)(CX*1), Y5
	VFMADD231PD 96(DX)(CX*1), Y5, Y3
	ADDQ $128, CX
	JMP  dot16

dot4:
	LEAQ -32(R14), AX
	// A VEX scalar op clears lanes 2–3 of its destination, so the last
	// K mod 4 products run in X4 and are added into Y0 whole.
	VXORPD Y4, Y4, Y4

dot4loop:
	CMPQ CX, AX
	JGT  dot1
	VMOVUPD 0(SI)(CX*1), Y5
	VFMADD231PD 0(DX)(CX*1), Y5, Y0
	ADDQ $32, CX
	JMP  dot4loop

dot1:
	CMPQ CX, R14
	JGE  reduce
	VMOVSD 0(SI)(CX*1), X5
	VFMADD231SD 0(DX)(CX*1), X5, X4
	ADDQ $8, CX
	JMP  dot1

reduce:
	VADDPD Y4, Y0, Y0
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, 0(R11)(BX*8)

	// Below under, or unordered (NaN): carry set, nothing added.
	VUCOMISD X12, X0
	JCS  missed
	VMOVSD 0(R9)(BX*8), X7
	VDIVSD X0, X7, X7
	VBROADCASTSD X7, Y8
	XORQ CX, CX

upd16:
	CMPQ CX, R13
	JGT  upd4
	VMOVUPD 0(R10)(CX*1), Y0
	VMOVUPD 32(R10)(CX*1), Y1
	VMOVUPD 64(R10)(CX*1), Y2
	VMOVUPD 96(R10)(CX*1), Y3
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VFMADD231PD 32(DX)(CX*1), Y8, Y1
	VFMADD231PD 64(DX)(CX*1), Y8, Y2
	VFMADD231PD 96(DX)(CX*1), Y8, Y3
	VMOVUPD Y0, 0(R10)(CX*1)
	VMOVUPD Y1, 32(R10)(CX*1)
	VMOVUPD Y2, 64(R10)(CX*1)
	VMOVUPD Y3, 96(R10)(CX*1)
	ADDQ $128, CX
	JMP  upd16

upd4:
	LEAQ -32(R14), AX

upd4loop:
	CMPQ CX, AX
	JGT  upd1
	VMOVUPD 0(R10)(CX*1), Y0
	VFMADD231PD 0(DX)(CX*1), Y8, Y0
	VMOVUPD Y0, 0(R10)(CX*1)
	ADDQ $32, CX
	JMP  upd4loop

upd1:
	CMPQ CX, R14
	JGE  next
	VMOVSD 0(R10)(CX*1), X0
	VFMADD231SD 0(DX)(CX*1), X8, X0
	VMOVSD X0, 0(R10)(CX*1)
	ADDQ $8, CX
	JMP  upd1

next:
	INCQ BX
	JMP  single

missed:
	INCQ missed+152(FP)
	JMP  next

done:
	VZEROUPPER
	RET

// func gradSumsAVX2(g, ratio, inv []float64) (grad, hess float64)
//
// Returns Σ_e g[e]·ratio[e] and Σ_e g[e]²·ratio[e]·inv[e] over
// e < len(g), for coordinate descent's Newton step: eight elements per
// step in two pairs of 4-lane accumulators, then four, then one at a time
// into lane 0, the lanes summed at the end. Requires len(ratio),
// len(inv) ≥ len(g). Clobbers AX, BX, CX, DX, SI, DI, Y0–Y9 (X0–X9),
// flags.
TEXT ·gradSumsAVX2(SB), NOSPLIT, $0-88
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ ratio_base+24(FP), DI
	MOVQ inv_base+48(FP), DX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ BX, BX
	LEAQ -8(CX), AX

g8:
	CMPQ BX, AX
	JGT  g4
	VMOVUPD 0(SI)(BX*8), Y4
	VMULPD 0(DI)(BX*8), Y4, Y5 // q = g·ratio
	VADDPD Y5, Y0, Y0
	VMULPD Y4, Y5, Y5          // q·g
	VFMADD231PD 0(DX)(BX*8), Y5, Y1
	VMOVUPD 32(SI)(BX*8), Y6
	VMULPD 32(DI)(BX*8), Y6, Y7
	VADDPD Y7, Y2, Y2
	VMULPD Y6, Y7, Y7
	VFMADD231PD 32(DX)(BX*8), Y7, Y3
	ADDQ $8, BX
	JMP  g8

g4:
	LEAQ -4(CX), AX
	CMPQ BX, AX
	JGT  g1start
	VMOVUPD 0(SI)(BX*8), Y4
	VMULPD 0(DI)(BX*8), Y4, Y5
	VADDPD Y5, Y0, Y0
	VMULPD Y4, Y5, Y5
	VFMADD231PD 0(DX)(BX*8), Y5, Y1
	ADDQ $4, BX

g1start:
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9

g1:
	CMPQ BX, CX
	JGE  greduce
	VMOVSD 0(SI)(BX*8), X4
	VMULSD 0(DI)(BX*8), X4, X5
	VADDSD X5, X8, X8
	VMULSD X4, X5, X5
	VFMADD231SD 0(DX)(BX*8), X5, X9
	INCQ BX
	JMP  g1

greduce:
	VADDPD Y2, Y0, Y0
	VADDPD Y8, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y9, Y1, Y1
	VEXTRACTF128 $1, Y0, X2
	VADDPD X2, X0, X0
	VPERMILPD $1, X0, X2
	VADDSD X2, X0, X0
	VEXTRACTF128 $1, Y1, X3
	VADDPD X3, X1, X1
	VPERMILPD $1, X1, X3
	VADDSD X3, X1, X1
	VZEROUPPER
	MOVSD X0, grad+72(FP)
	MOVSD X1, hess+80(FP)
	RET

// func stepRatesAVX2(mu, inv, ratio, x, g []float64, delta float64)
//
// For e < len(mu): mu[e] += delta·g[e] (fused), inv[e] = 1/mu[e],
// ratio[e] = x[e]·inv[e]: coordinate descent's update of a row's rates
// after a step, four lanes at a time, then one. Requires inv, ratio, x
// and g at least as long as mu. Clobbers AX, BX, CX, DX, SI, DI, R8, R9,
// Y0–Y4 (X0–X4), flags.
TEXT ·stepRatesAVX2(SB), NOSPLIT, $0-128
	MOVQ mu_base+0(FP), SI
	MOVQ mu_len+8(FP), CX
	MOVQ inv_base+24(FP), DI
	MOVQ ratio_base+48(FP), DX
	MOVQ x_base+72(FP), R8
	MOVQ g_base+96(FP), R9
	VBROADCASTSD delta+120(FP), Y0
	MOVQ $1, AX
	CVTSQ2SD AX, X1
	VBROADCASTSD X1, Y1 // 1
	XORQ BX, BX
	LEAQ -4(CX), AX

r4:
	CMPQ BX, AX
	JGT  r1
	VMOVUPD 0(SI)(BX*8), Y2
	VFMADD231PD 0(R9)(BX*8), Y0, Y2 // mu + delta·g
	VDIVPD Y2, Y1, Y3               // 1/mu
	VMULPD 0(R8)(BX*8), Y3, Y4      // x/mu
	VMOVUPD Y2, 0(SI)(BX*8)
	VMOVUPD Y3, 0(DI)(BX*8)
	VMOVUPD Y4, 0(DX)(BX*8)
	ADDQ $4, BX
	JMP  r4

r1:
	CMPQ BX, CX
	JGE  rdone
	VMOVSD 0(SI)(BX*8), X2
	VFMADD231SD 0(R9)(BX*8), X0, X2
	VDIVSD X2, X1, X3
	VMULSD 0(R8)(BX*8), X3, X4
	VMOVSD X2, 0(SI)(BX*8)
	VMOVSD X3, 0(DI)(BX*8)
	VMOVSD X4, 0(DX)(BX*8)
	INCQ BX
	JMP  r1

rdone:
	VZEROUPPER
	RET
