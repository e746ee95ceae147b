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

// Eight-lane (AVX-512F) helpers of ratioAccumAVX512.

// PREFETCHROW prefetches every line of the row of entry e (a register
// holding the entry number) when e < R12, with AX and CX; the label
// names the loop.
#define PREFETCHROW(e, lbl, skip) \
	CMPQ e, R12; \
	JGE  skip; \
	MOVLQSX (R8)(e*4), AX; \
	IMULQ R14, AX; \
	ADDQ DI, AX; \
	LEAQ -8(AX)(R14*1), CX; \
lbl: \
	PREFETCHT0 (AX); \
	ADDQ $64, AX; \
	CMPQ AX, CX; \
	JLE  lbl; \
	PREFETCHT0 (CX); \
skip:

// REDUCEZ sums the lanes of the accumulators a, b, c, d (Z registers,
// whose low halves are ya, yc and low quarters xa) into the low lane of
// xa, as (a + b) + (c + d), then halves, then quarters, then lanes; it
// uses Y8/X8 and X9.
#define REDUCEZ(a, b, c, d, ya, yc, xa) \
	VADDPD        b, a, a; \
	VADDPD        d, c, c; \
	VADDPD        c, a, a; \
	VEXTRACTF64X4 $1, a, Y8; \
	VADDPD        Y8, ya, ya; \
	VEXTRACTF128  $1, ya, X8; \
	VADDPD        X8, xa, xa; \
	VPERMILPD     $1, xa, X9; \
	VADDSD        X9, xa, xa

// func ratioAccumAVX512(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int)
//
// ratioAccumAVX2 eight lanes wide: the same sums and updates, entries
// two at a time (the last alone) with the one-entry path's sums bit for
// bit, thirty-two elements a step in four 8-lane accumulators per entry,
// then eight, then the row's last K mod 8 under a lane mask (masked
// loads do not fault past the row); the lanes are summed at the end
// (REDUCEZ). Requires what ratioAccumAVX2 does. Clobbers AX, BX, CX, DX,
// SI, DI, R8–R14, Z0–Z13, K1, flags.
TEXT ·ratioAccumAVX512(SB), NOSPLIT, $0-160
	MOVQ f_base+0(FP), SI
	MOVQ m_base+24(FP), DI
	MOVQ idx_base+48(FP), R8
	MOVQ idx_len+56(FP), R12
	MOVQ x_base+72(FP), R9
	MOVQ acc_base+96(FP), R10
	MOVQ acc_len+104(FP), R14
	MOVQ R14, CX
	ANDQ $7, CX
	LEAQ gathermask<>(SB), AX
	MOVBLZX (AX)(CX*1), AX
	KMOVW AX, K1 // the lanes of a row's last K mod 8 elements
	SHLQ $3, R14
	MOVQ s_base+120(FP), R11
	VMOVSD under+144(FP), X12
	VMOVDDUP X12, X12 // under in both lanes, for two entries at once
	MOVQ $0, missed+152(FP)
	XORQ BX, BX

zentry:
	LEAQ 2(BX), AX
	CMPQ AX, R12
	JGT  zsingle
	LEAQ (prefetchAhead+0)(BX), DX
	PREFETCHROW(DX, zppf1, zppf1done)
	LEAQ (prefetchAhead+1)(BX), DX
	PREFETCHROW(DX, zppf2, zppf2done)
	MOVLQSX (R8)(BX*4), DX
	IMULQ R14, DX
	ADDQ DI, DX
	MOVLQSX 4(R8)(BX*4), R13
	IMULQ R14, R13
	ADDQ DI, R13
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	XORQ CX, CX
	LEAQ -256(R14), AX

zpdot32:
	CMPQ CX, AX
	JGT  zpdot8
	VMOVUPD 0(SI)(CX*1), Z8
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VFMADD231PD 0(R13)(CX*1), Z8, Z4
	VMOVUPD 64(SI)(CX*1), Z9
	VFMADD231PD 64(DX)(CX*1), Z9, Z1
	VFMADD231PD 64(R13)(CX*1), Z9, Z5
	VMOVUPD 128(SI)(CX*1), Z8
	VFMADD231PD 128(DX)(CX*1), Z8, Z2
	VFMADD231PD 128(R13)(CX*1), Z8, Z6
	VMOVUPD 192(SI)(CX*1), Z9
	VFMADD231PD 192(DX)(CX*1), Z9, Z3
	VFMADD231PD 192(R13)(CX*1), Z9, Z7
	ADDQ $256, CX
	JMP  zpdot32

zpdot8:
	LEAQ -64(R14), AX

zpdot8loop:
	CMPQ CX, AX
	JGT  zpdotmask
	VMOVUPD 0(SI)(CX*1), Z8
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VFMADD231PD 0(R13)(CX*1), Z8, Z4
	ADDQ $64, CX
	JMP  zpdot8loop

zpdotmask:
	CMPQ CX, R14
	JGE  zpreduce
	VMOVUPD.Z 0(SI)(CX*1), K1, Z8
	VFMADD231PD 0(DX)(CX*1), Z8, K1, Z0
	VFMADD231PD 0(R13)(CX*1), Z8, K1, Z4

zpreduce:
	REDUCEZ(Z0, Z1, Z2, Z3, Y0, Y2, X0)
	REDUCEZ(Z4, Z5, Z6, Z7, Y4, Y6, X4)
	VUNPCKLPD X4, X0, X2 // (s[BX], s[BX+1])
	VMOVUPD X2, 0(R11)(BX*8)
	VCMPPD $0x1d, X12, X2, X3 // s ≥ under (ordered: NaN is missed)
	VMOVUPD 0(R9)(BX*8), X7
	VDIVPD X2, X7, X7
	VANDPD X3, X7, X7         // the ratios, 0 where missed
	VMOVMSKPD X3, AX
	CMPQ AX, $3
	JEQ  zpupd
	XORQ $3, AX
	POPCNTQ AX, AX
	ADDQ AX, missed+152(FP)

zpupd:
	VBROADCASTSD X7, Z8
	VPERMILPD $1, X7, X13
	VBROADCASTSD X13, Z9
	XORQ CX, CX
	LEAQ -256(R14), AX

zpupd32:
	CMPQ CX, AX
	JGT  zpupd8
	VMOVUPD 0(R10)(CX*1), Z0
	VMOVUPD 64(R10)(CX*1), Z1
	VMOVUPD 128(R10)(CX*1), Z2
	VMOVUPD 192(R10)(CX*1), Z3
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VFMADD231PD 64(DX)(CX*1), Z8, Z1
	VFMADD231PD 128(DX)(CX*1), Z8, Z2
	VFMADD231PD 192(DX)(CX*1), Z8, Z3
	VFMADD231PD 0(R13)(CX*1), Z9, Z0
	VFMADD231PD 64(R13)(CX*1), Z9, Z1
	VFMADD231PD 128(R13)(CX*1), Z9, Z2
	VFMADD231PD 192(R13)(CX*1), Z9, Z3
	VMOVUPD Z0, 0(R10)(CX*1)
	VMOVUPD Z1, 64(R10)(CX*1)
	VMOVUPD Z2, 128(R10)(CX*1)
	VMOVUPD Z3, 192(R10)(CX*1)
	ADDQ $256, CX
	JMP  zpupd32

zpupd8:
	LEAQ -64(R14), AX

zpupd8loop:
	CMPQ CX, AX
	JGT  zpupdmask
	VMOVUPD 0(R10)(CX*1), Z0
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VFMADD231PD 0(R13)(CX*1), Z9, Z0
	VMOVUPD Z0, 0(R10)(CX*1)
	ADDQ $64, CX
	JMP  zpupd8loop

zpupdmask:
	CMPQ CX, R14
	JGE  zpnext
	VMOVUPD.Z 0(R10)(CX*1), K1, Z0
	VFMADD231PD 0(DX)(CX*1), Z8, K1, Z0
	VFMADD231PD 0(R13)(CX*1), Z9, K1, Z0
	VMOVUPD Z0, K1, 0(R10)(CX*1)

zpnext:
	ADDQ $2, BX
	JMP  zentry

zsingle:
	CMPQ BX, R12
	JGE  zdone
	LEAQ prefetchAhead(BX), DX
	PREFETCHROW(DX, zrpf, zrpfdone)
	MOVLQSX (R8)(BX*4), DX
	IMULQ R14, DX
	ADDQ DI, DX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	XORQ CX, CX
	LEAQ -256(R14), AX

zdot32:
	CMPQ CX, AX
	JGT  zdot8
	VMOVUPD 0(SI)(CX*1), Z8
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VMOVUPD 64(SI)(CX*1), Z9
	VFMADD231PD 64(DX)(CX*1), Z9, Z1
	VMOVUPD 128(SI)(CX*1), Z8
	VFMADD231PD 128(DX)(CX*1), Z8, Z2
	VMOVUPD 192(SI)(CX*1), Z9
	VFMADD231PD 192(DX)(CX*1), Z9, Z3
	ADDQ $256, CX
	JMP  zdot32

zdot8:
	LEAQ -64(R14), AX

zdot8loop:
	CMPQ CX, AX
	JGT  zdotmask
	VMOVUPD 0(SI)(CX*1), Z8
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	ADDQ $64, CX
	JMP  zdot8loop

zdotmask:
	CMPQ CX, R14
	JGE  zreduce
	VMOVUPD.Z 0(SI)(CX*1), K1, Z8
	VFMADD231PD 0(DX)(CX*1), Z8, K1, Z0

zreduce:
	REDUCEZ(Z0, Z1, Z2, Z3, Y0, Y2, X0)
	VMOVSD X0, 0(R11)(BX*8)

	// Below under, or unordered (NaN): carry set, nothing added.
	VUCOMISD X12, X0
	JCS  zmissed
	VMOVSD 0(R9)(BX*8), X7
	VDIVSD X0, X7, X7
	VBROADCASTSD X7, Z8
	XORQ CX, CX
	LEAQ -256(R14), AX

zupd32:
	CMPQ CX, AX
	JGT  zupd8
	VMOVUPD 0(R10)(CX*1), Z0
	VMOVUPD 64(R10)(CX*1), Z1
	VMOVUPD 128(R10)(CX*1), Z2
	VMOVUPD 192(R10)(CX*1), Z3
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VFMADD231PD 64(DX)(CX*1), Z8, Z1
	VFMADD231PD 128(DX)(CX*1), Z8, Z2
	VFMADD231PD 192(DX)(CX*1), Z8, Z3
	VMOVUPD Z0, 0(R10)(CX*1)
	VMOVUPD Z1, 64(R10)(CX*1)
	VMOVUPD Z2, 128(R10)(CX*1)
	VMOVUPD Z3, 192(R10)(CX*1)
	ADDQ $256, CX
	JMP  zupd32

zupd8:
	LEAQ -64(R14), AX

zupd8loop:
	CMPQ CX, AX
	JGT  zupdmask
	VMOVUPD 0(R10)(CX*1), Z0
	VFMADD231PD 0(DX)(CX*1), Z8, Z0
	VMOVUPD Z0, 0(R10)(CX*1)
	ADDQ $64, CX
	JMP  zupd8loop

zupdmask:
	CMPQ CX, R14
	JGE  znext
	VMOVUPD.Z 0(R10)(CX*1), K1, Z0
	VFMADD231PD 0(DX)(CX*1), Z8, K1, Z0
	VMOVUPD Z0, K1, 0(R10)(CX*1)

znext:
	INCQ BX
	JMP  zsingle

zmissed:
	INCQ missed+152(FP)
	JMP  znext

zdone:
	VZEROUPPER
	RET

// Coordinate descent's loops (cd.go).

// UPDATE is one four-lane step of StepSums' update at byte offset off
// from element BX (mu at SI, prev at R9, inv at DI; delta in Y10, ones in
// Y11): mu += delta·prev, inv = 1/mu in the register dst, both stored. It
// uses Y12.
#define UPDATE(off, dst) \
	VMOVUPD     off(SI)(BX*8), Y12; \
	VFMADD231PD off(R9)(BX*8), Y10, Y12; \
	VDIVPD      Y12, Y11, dst; \
	VMOVUPD     Y12, off(SI)(BX*8); \
	VMOVUPD     dst, off(DI)(BX*8)

// SUMS is one four-lane step of GradSums' sums at byte offset off from
// element BX (next at R10, x at R8), with the lanes' 1/μ in inv, into the
// accumulators grad, hess and peak. It uses Y6, Y8 and Y9.
#define SUMS(off, inv, grad, hess, peak) \
	VMOVUPD     off(R10)(BX*8), Y6; \
	VMULPD      inv, Y6, Y8; \
	VMULPD      off(R8)(BX*8), inv, Y9; \
	VMULPD      Y6, Y9, Y9; \
	VADDPD      Y9, grad, grad; \
	VFMADD231PD Y8, Y9, hess; \
	VMAXPD      Y8, peak, peak

// SUMSZ is SUMS eight lanes wide (AVX-512), with Z6, Z8 and Z9.
#define SUMSZ(off, inv, grad, hess, peak) \
	VMOVUPD     off(R10)(BX*8), Z6; \
	VMULPD      inv, Z6, Z8; \
	VMULPD      off(R8)(BX*8), inv, Z9; \
	VMULPD      Z6, Z9, Z9; \
	VADDPD      Z9, grad, grad; \
	VFMADD231PD Z8, Z9, hess; \
	VMAXPD      Z8, peak, peak

// HSUM leaves in the low lane of x (the low half of y) the sum of y's
// four lanes, in the order (l0 + l2) + (l1 + l3); it uses t.
#define HSUM(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VADDPD       t, x, x; \
	VPERMILPD    $1, x, t; \
	VADDSD       t, x, x

// HMAX is HSUM with the largest lane instead of the sum.
#define HMAX(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VMAXPD       t, x, x; \
	VPERMILPD    $1, x, t; \
	VMAXSD       t, x, x

// SUMS3 adds the lanes of Y0 and of Y1, takes the largest lane of Y2,
// and stores the three results; it uses X3–X5 and clears the upper
// halves.
#define SUMS3(grad, hess, peak) \
	HSUM(Y0, X0, X3); \
	HSUM(Y1, X1, X4); \
	HMAX(Y2, X2, X5); \
	VZEROUPPER; \
	MOVSD X0, grad; \
	MOVSD X1, hess; \
	MOVSD X2, peak

// ROWPTR sets reg to the address of the row, K wide, of the factor at g
// whose int32 index is at src: g + idx·K·8.
#define ROWPTR(src, reg, K, g) \
	MOVLQSX src, reg; \
	IMULQ   K, reg; \
	SHLQ    $3, reg; \
	ADDQ    g, reg

// func gatherRowsAVX2(gt, mu, g, f []float64, idx []int32, stride int)
//
// GatherRows for len(idx) a multiple of 4 (≥ 4) and K = len(f) ≥ 1: for
// each block of four entries, their rows of g are read
// four elements at a time, each multiplied into its own 4-lane FMA
// accumulator with f, and transposed in registers (unpack, then swap
// halves) so that each of the four columns gets one 32-byte store into
// gt; the last K mod 4 elements of the rows go one column at a time, and
// the four dot products are summed lane-wise at the end (pairs, then
// halves, then the tail). The next block's rows are prefetched.
// Clobbers AX, BX, CX, DX, SI, DI, R8–R14, Y0–Y13 (X0–X13), flags.
TEXT ·gatherRowsAVX2(SB), NOSPLIT, $8-128
	MOVQ gt_base+0(FP), R14
	MOVQ mu_base+24(FP), AX
	MOVQ f_base+72(FP), SI
	MOVQ idx_base+96(FP), DI
	MOVQ idx_len+104(FP), CX
	LEAQ (DI)(CX*4), CX
	MOVQ CX, end-8(SP)
	MOVQ stride+120(FP), R11
	SHLQ $3, R11              // the stride of gt's rows in bytes
	LEAQ (R11)(R11*2), R12    // three strides

block:
	// Prefetch the next block's rows line by line, as the kernel does
	// (the hardware cannot guess an indexed row).
	LEAQ 16(DI), R8
	CMPQ R8, end-8(SP)
	JGE  fetched
	LEAQ 32(DI), R13

pfrow:
	ROWPTR((R8), R9, f_len+80(FP), g_base+48(FP))
	MOVQ    f_len+80(FP), CX
	LEAQ    -8(R9)(CX*8), CX // the row's last element

pfline:
	PREFETCHT0 (R9)
	ADDQ       $64, R9
	CMPQ       R9, CX
	JLE        pfline
	PREFETCHT0 (CX)
	ADDQ       $4, R8
	CMPQ       R8, R13
	JLT        pfrow

fetched:
	// The four entries' rows: g + idx·K·8.
	ROWPTR(0(DI), R8, f_len+80(FP), g_base+48(FP))
	ROWPTR(4(DI), R9, f_len+80(FP), g_base+48(FP))
	ROWPTR(8(DI), R13, f_len+80(FP), g_base+48(FP))
	ROWPTR(12(DI), BX, f_len+80(FP), g_base+48(FP))
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	VXORPD  Y12, Y12, Y12
	MOVQ    R14, R10          // gt[j·stride + e] for j = 0
	XORQ    DX, DX            // byte offset j·8 into the rows and f
	MOVQ    f_len+80(FP), CX
	ANDQ    $-4, CX
	SHLQ    $3, CX            // where the 4-wide part of a row ends

lanes:
	CMPQ DX, CX
	JGE  tail
	VMOVUPD (SI)(DX*1), Y8
	VMOVUPD (R8)(DX*1), Y4    // a_j … a_j+3
	VMOVUPD (R9)(DX*1), Y5    // b
	VMOVUPD (R13)(DX*1), Y6   // c
	VMOVUPD (BX)(DX*1), Y7    // d
	VFMADD231PD Y8, Y4, Y0
	VFMADD231PD Y8, Y5, Y1
	VFMADD231PD Y8, Y6, Y2
	VFMADD231PD Y8, Y7, Y3
	VUNPCKLPD   Y5, Y4, Y9        // a0 b0 a2 b2
	VUNPCKHPD   Y5, Y4, Y10       // a1 b1 a3 b3
	VUNPCKLPD   Y7, Y6, Y11       // c0 d0 c2 d2
	VUNPCKHPD   Y7, Y6, Y13       // c1 d1 c3 d3
	VPERM2F128  $0x20, Y11, Y9, Y4  // a0 b0 c0 d0
	VPERM2F128  $0x20, Y13, Y10, Y5 // a1 b1 c1 d1
	VPERM2F128  $0x31, Y11, Y9, Y6  // a2 b2 c2 d2
	VPERM2F128  $0x31, Y13, Y10, Y7 // a3 b3 c3 d3
	VMOVUPD     Y4, (R10)
	VMOVUPD     Y5, (R10)(R11*1)
	VMOVUPD     Y6, (R10)(R11*2)
	VMOVUPD     Y7, (R10)(R12*1)
	LEAQ        (R10)(R11*4), R10
	ADDQ        $32, DX
	JMP         lanes

tail:
	MOVQ f_len+80(FP), CX
	SHLQ $3, CX

tailloop:
	CMPQ DX, CX
	JGE  reduce
	VMOVSD      (R8)(DX*1), X4
	VMOVSD      (R9)(DX*1), X5
	VMOVSD      (R13)(DX*1), X6
	VMOVSD      (BX)(DX*1), X7
	VUNPCKLPD   X5, X4, X4        // a b
	VUNPCKLPD   X7, X6, X6        // c d
	VINSERTF128 $1, X6, Y4, Y4    // a b c d
	VMOVUPD     Y4, (R10)
	VBROADCASTSD (SI)(DX*1), Y5
	VFMADD231PD Y5, Y4, Y12
	ADDQ        R11, R10
	ADDQ        $8, DX
	JMP         tailloop

reduce:
	VHADDPD    Y1, Y0, Y0         // a01 b01 a23 b23
	VHADDPD    Y3, Y2, Y2         // c01 d01 c23 d23
	VPERM2F128 $0x20, Y2, Y0, Y1  // a01 b01 c01 d01
	VPERM2F128 $0x31, Y2, Y0, Y3  // a23 b23 c23 d23
	VADDPD     Y3, Y1, Y1
	VADDPD     Y12, Y1, Y1
	VMOVUPD    Y1, (AX)
	ADDQ       $16, DI
	ADDQ       $32, AX
	ADDQ       $32, R14
	CMPQ       DI, end-8(SP)
	JLT        block
	VZEROUPPER
	RET

// gatherperm holds the two index vectors of gatherRowsAVX512's middle
// transpose stage (VPERMT2PD: 0–7 the first table, 8–15 the second):
// quadwords 0, 1, 8, 9, 4, 5, 12, 13, then 2, 3, 10, 11, 6, 7, 14, 15.
DATA gatherperm<>+0(SB)/8, $0
DATA gatherperm<>+8(SB)/8, $1
DATA gatherperm<>+16(SB)/8, $8
DATA gatherperm<>+24(SB)/8, $9
DATA gatherperm<>+32(SB)/8, $4
DATA gatherperm<>+40(SB)/8, $5
DATA gatherperm<>+48(SB)/8, $12
DATA gatherperm<>+56(SB)/8, $13
DATA gatherperm<>+64(SB)/8, $2
DATA gatherperm<>+72(SB)/8, $3
DATA gatherperm<>+80(SB)/8, $10
DATA gatherperm<>+88(SB)/8, $11
DATA gatherperm<>+96(SB)/8, $6
DATA gatherperm<>+104(SB)/8, $7
DATA gatherperm<>+112(SB)/8, $14
DATA gatherperm<>+120(SB)/8, $15
GLOBL gatherperm<>(SB), RODATA|NOPTR, $128

// gathermask holds the lane masks of a row's last K mod 8 elements, by
// K mod 8: 0, 1, 3, 7, …, 127.
DATA gathermask<>+0(SB)/8, $0x7f3f1f0f07030100
GLOBL gathermask<>(SB), RODATA|NOPTR, $8

// TRANSPOSE8 transposes the 8 × 8 block of rows in Z8–Z15 (one entry's
// eight elements each) into columns, column c in Z16+c's place as
// listed below, through Z16–Z23 and Z27 (Z24, Z25: gatherperm).
#define TRANSPOSE8 \
	VUNPCKLPD  Z9, Z8, Z16;    /* a0 b0 a2 b2 a4 b4 a6 b6 */ \
	VUNPCKHPD  Z9, Z8, Z17;    /* a1 b1 a3 b3 … */ \
	VUNPCKLPD  Z11, Z10, Z18;  /* c0 d0 c2 d2 … */ \
	VUNPCKHPD  Z11, Z10, Z19; \
	VUNPCKLPD  Z13, Z12, Z20;  /* e0 f0 … */ \
	VUNPCKHPD  Z13, Z12, Z21; \
	VUNPCKLPD  Z15, Z14, Z22;  /* g0 h0 … */ \
	VUNPCKHPD  Z15, Z14, Z23; \
	VMOVAPD    Z16, Z8; \
	VPERMT2PD  Z18, Z24, Z8;   /* a0 b0 c0 d0 a4 b4 c4 d4 */ \
	VMOVAPD    Z16, Z9; \
	VPERMT2PD  Z18, Z25, Z9;   /* a2 b2 c2 d2 a6 … */ \
	VMOVAPD    Z17, Z10; \
	VPERMT2PD  Z19, Z24, Z10;  /* a1 b1 c1 d1 a5 … */ \
	VMOVAPD    Z17, Z11; \
	VPERMT2PD  Z19, Z25, Z11;  /* a3 … a7 … */ \
	VMOVAPD    Z20, Z12; \
	VPERMT2PD  Z22, Z24, Z12;  /* e0 f0 g0 h0 e4 … */ \
	VMOVAPD    Z20, Z13; \
	VPERMT2PD  Z22, Z25, Z13;  /* e2 … e6 … */ \
	VMOVAPD    Z21, Z14; \
	VPERMT2PD  Z23, Z24, Z14;  /* e1 … e5 … */ \
	VMOVAPD    Z21, Z15; \
	VPERMT2PD  Z23, Z25, Z15;  /* e3 … e7 … */ \
	VSHUFF64X2 $0x44, Z12, Z8, Z16;   /* column 0 */ \
	VSHUFF64X2 $0x44, Z14, Z10, Z17;  /* column 1 */ \
	VSHUFF64X2 $0x44, Z13, Z9, Z18;   /* column 2 */ \
	VSHUFF64X2 $0x44, Z15, Z11, Z19;  /* column 3 */ \
	VSHUFF64X2 $0xee, Z12, Z8, Z20;   /* column 4 */ \
	VSHUFF64X2 $0xee, Z14, Z10, Z21;  /* column 5 */ \
	VSHUFF64X2 $0xee, Z13, Z9, Z22;   /* column 6 */ \
	VSHUFF64X2 $0xee, Z15, Z11, Z23   /* column 7 */

// func gatherRowsAVX512(gt, mu, g, f []float64, idx []int32, stride int)
//
// GatherRows in AVX-512F for len(idx) a multiple of 8 (≥ 8) and K =
// len(f) ≥ 1: for each block of eight entries, their rows of g are read
// eight elements at a time (the last K mod 8 with a lane mask, zeros
// beyond), each multiplied into its own 8-lane FMA accumulator with f,
// and transposed in registers (TRANSPOSE8) so that each of the eight
// columns gets one 64-byte store into gt (the masked part only its first
// K mod 8); the eight dot products are summed at the end, pairs, then
// 128-bit lanes, two shuffle-and-add rounds. The next block's rows are
// prefetched. Clobbers AX, BX, CX, DX, SI, DI, R8–R15, Z0–Z27, K1, flags.
TEXT ·gatherRowsAVX512(SB), NOSPLIT, $32-128
	MOVQ gt_base+0(FP), R10
	MOVQ R10, gtb-8(SP)
	MOVQ mu_base+24(FP), R10
	MOVQ R10, mub-16(SP)
	MOVQ idx_base+96(FP), DI
	MOVQ DI, idxp-24(SP)
	MOVQ idx_len+104(FP), CX
	LEAQ (DI)(CX*4), CX
	MOVQ CX, end-32(SP)
	MOVQ f_base+72(FP), SI
	MOVQ stride+120(FP), R11
	SHLQ $3, R11              // the stride of gt's rows in bytes
	LEAQ (R11)(R11*2), R12    // three strides
	VMOVUPD gatherperm<>+0(SB), Z24
	VMOVUPD gatherperm<>+64(SB), Z25
	MOVQ    f_len+80(FP), CX
	ANDQ    $7, CX
	LEAQ    gathermask<>(SB), R8
	MOVBLZX (R8)(CX*1), R8
	KMOVW   R8, K1

zblock:
	// Prefetch the next block's rows line by line.
	MOVQ idxp-24(SP), DI
	LEAQ 32(DI), R8
	CMPQ R8, end-32(SP)
	JGE  zfetched
	LEAQ 64(DI), R13

zpfrow:
	ROWPTR((R8), R9, f_len+80(FP), g_base+48(FP))
	MOVQ    f_len+80(FP), CX
	LEAQ    -8(R9)(CX*8), CX // the row's last element

zpfline:
	PREFETCHT0 (R9)
	ADDQ       $64, R9
	CMPQ       R9, CX
	JLE        zpfline
	PREFETCHT0 (CX)
	ADDQ       $4, R8
	CMPQ       R8, R13
	JLT        zpfrow

zfetched:
	// The eight entries' rows: g + idx·K·8.
	ROWPTR(0(DI), R8, f_len+80(FP), g_base+48(FP))
	ROWPTR(4(DI), R9, f_len+80(FP), g_base+48(FP))
	ROWPTR(8(DI), R13, f_len+80(FP), g_base+48(FP))
	ROWPTR(12(DI), BX, f_len+80(FP), g_base+48(FP))
	ROWPTR(16(DI), AX, f_len+80(FP), g_base+48(FP))
	ROWPTR(20(DI), R14, f_len+80(FP), g_base+48(FP))
	ROWPTR(24(DI), R15, f_len+80(FP), g_base+48(FP))
	ROWPTR(28(DI), DI, f_len+80(FP), g_base+48(FP))
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	MOVQ   gtb-8(SP), R10     // gt[j·stride + e] for j = 0
	XORQ   DX, DX             // byte offset j·8 into the rows and f
	MOVQ   f_len+80(FP), CX
	ANDQ   $-8, CX
	SHLQ   $3, CX             // where the 8-wide part of a row ends

zlanes:
	CMPQ DX, CX
	JGE  ztail
	VMOVUPD     (SI)(DX*1), Z26
	VMOVUPD     (R8)(DX*1), Z8
	VMOVUPD     (R9)(DX*1), Z9
	VMOVUPD     (R13)(DX*1), Z10
	VMOVUPD     (BX)(DX*1), Z11
	VMOVUPD     (AX)(DX*1), Z12
	VMOVUPD     (R14)(DX*1), Z13
	VMOVUPD     (R15)(DX*1), Z14
	VMOVUPD     (DI)(DX*1), Z15
	VFMADD231PD Z26, Z8, Z0
	VFMADD231PD Z26, Z9, Z1
	VFMADD231PD Z26, Z10, Z2
	VFMADD231PD Z26, Z11, Z3
	VFMADD231PD Z26, Z12, Z4
	VFMADD231PD Z26, Z13, Z5
	VFMADD231PD Z26, Z14, Z6
	VFMADD231PD Z26, Z15, Z7
	TRANSPOSE8
	VMOVUPD     Z16, (R10)
	VMOVUPD     Z17, (R10)(R11*1)
	VMOVUPD     Z18, (R10)(R11*2)
	VMOVUPD     Z19, (R10)(R12*1)
	LEAQ        (R10)(R11*4), R10
	VMOVUPD     Z20, (R10)
	VMOVUPD     Z21, (R10)(R11*1)
	VMOVUPD     Z22, (R10)(R11*2)
	VMOVUPD     Z23, (R10)(R12*1)
	LEAQ        (R10)(R11*4), R10
	ADDQ        $64, DX
	JMP         zlanes

ztail:
	// The last K mod 8 elements, masked: zeros past the row's end add
	// nothing to the sums, and only the real columns are stored.
	MOVQ f_len+80(FP), CX
	ANDQ $7, CX
	JZ   zreduce
	VMOVUPD.Z   (SI)(DX*1), K1, Z26
	VMOVUPD.Z   (R8)(DX*1), K1, Z8
	VMOVUPD.Z   (R9)(DX*1), K1, Z9
	VMOVUPD.Z   (R13)(DX*1), K1, Z10
	VMOVUPD.Z   (BX)(DX*1), K1, Z11
	VMOVUPD.Z   (AX)(DX*1), K1, Z12
	VMOVUPD.Z   (R14)(DX*1), K1, Z13
	VMOVUPD.Z   (R15)(DX*1), K1, Z14
	VMOVUPD.Z   (DI)(DX*1), K1, Z15
	VFMADD231PD Z26, Z8, Z0
	VFMADD231PD Z26, Z9, Z1
	VFMADD231PD Z26, Z10, Z2
	VFMADD231PD Z26, Z11, Z3
	VFMADD231PD Z26, Z12, Z4
	VFMADD231PD Z26, Z13, Z5
	VFMADD231PD Z26, Z14, Z6
	VFMADD231PD Z26, Z15, Z7
	TRANSPOSE8
	VMOVUPD Z16, (R10)
	CMPQ    CX, $2
	JLT     zreduce
	VMOVUPD Z17, (R10)(R11*1)
	CMPQ    CX, $3
	JLT     zreduce
	VMOVUPD Z18, (R10)(R11*2)
	CMPQ    CX, $4
	JLT     zreduce
	VMOVUPD Z19, (R10)(R12*1)
	CMPQ    CX, $5
	JLT     zreduce
	LEAQ    (R10)(R11*4), R10
	VMOVUPD Z20, (R10)
	CMPQ    CX, $6
	JLT     zreduce
	VMOVUPD Z21, (R10)(R11*1)
	CMPQ    CX, $7
	JLT     zreduce
	VMOVUPD Z22, (R10)(R11*2)

zreduce:
	VUNPCKLPD  Z1, Z0, Z8
	VUNPCKHPD  Z1, Z0, Z9
	VADDPD     Z9, Z8, Z8         // per 128-bit lane: a, b partial sums
	VUNPCKLPD  Z3, Z2, Z10
	VUNPCKHPD  Z3, Z2, Z11
	VADDPD     Z11, Z10, Z10      // c, d
	VUNPCKLPD  Z5, Z4, Z12
	VUNPCKHPD  Z5, Z4, Z13
	VADDPD     Z13, Z12, Z12      // e, f
	VUNPCKLPD  Z7, Z6, Z14
	VUNPCKHPD  Z7, Z6, Z15
	VADDPD     Z15, Z14, Z14      // g, h
	VSHUFF64X2 $0x88, Z10, Z8, Z16
	VSHUFF64X2 $0xdd, Z10, Z8, Z17
	VADDPD     Z17, Z16, Z16      // ab ab cd cd
	VSHUFF64X2 $0x88, Z14, Z12, Z18
	VSHUFF64X2 $0xdd, Z14, Z12, Z19
	VADDPD     Z19, Z18, Z18      // ef ef gh gh
	VSHUFF64X2 $0x88, Z18, Z16, Z20
	VSHUFF64X2 $0xdd, Z18, Z16, Z21
	VADDPD     Z21, Z20, Z20      // a b c d e f g h
	MOVQ       mub-16(SP), R10
	VMOVUPD    Z20, (R10)
	ADDQ       $64, R10
	MOVQ       R10, mub-16(SP)
	MOVQ       gtb-8(SP), R10
	ADDQ       $64, R10
	MOVQ       R10, gtb-8(SP)
	MOVQ       idxp-24(SP), DI
	ADDQ       $32, DI
	MOVQ       DI, idxp-24(SP)
	CMPQ       DI, end-32(SP)
	JLT        zblock
	VZEROUPPER
	RET

// cdrange is the range [2^−1000, 2^1000] in four lanes each, inside which
// the product of two rates has a reciprocal that keeps every bit.
DATA cdrange<>+0(SB)/8, $0x0170000000000000
DATA cdrange<>+8(SB)/8, $0x0170000000000000
DATA cdrange<>+16(SB)/8, $0x0170000000000000
DATA cdrange<>+24(SB)/8, $0x0170000000000000
DATA cdrange<>+32(SB)/8, $0x7e70000000000000
DATA cdrange<>+40(SB)/8, $0x7e70000000000000
DATA cdrange<>+48(SB)/8, $0x7e70000000000000
DATA cdrange<>+56(SB)/8, $0x7e70000000000000
GLOBL cdrange<>(SB), RODATA|NOPTR, $64

// cdrangez is cdrange eight lanes wide.
DATA cdrangez<>+0(SB)/8, $0x0170000000000000
DATA cdrangez<>+8(SB)/8, $0x0170000000000000
DATA cdrangez<>+16(SB)/8, $0x0170000000000000
DATA cdrangez<>+24(SB)/8, $0x0170000000000000
DATA cdrangez<>+32(SB)/8, $0x0170000000000000
DATA cdrangez<>+40(SB)/8, $0x0170000000000000
DATA cdrangez<>+48(SB)/8, $0x0170000000000000
DATA cdrangez<>+56(SB)/8, $0x0170000000000000
DATA cdrangez<>+64(SB)/8, $0x7e70000000000000
DATA cdrangez<>+72(SB)/8, $0x7e70000000000000
DATA cdrangez<>+80(SB)/8, $0x7e70000000000000
DATA cdrangez<>+88(SB)/8, $0x7e70000000000000
DATA cdrangez<>+96(SB)/8, $0x7e70000000000000
DATA cdrangez<>+104(SB)/8, $0x7e70000000000000
DATA cdrangez<>+112(SB)/8, $0x7e70000000000000
DATA cdrangez<>+120(SB)/8, $0x7e70000000000000
GLOBL cdrangez<>(SB), RODATA|NOPTR, $128

// func coordSumsAVX2(mu, inv, x, prev, next []float64, delta float64, step, wide bool) (grad, hess, peak float64)
//
// StepSums (step) and GradSums (!step, when mu and prev are not read) in
// one loop, over e < len(next): with step, mu += delta·prev (fused) and
// inv = 1/mu (the one division), both stored; then ratio = x·inv,
// q = ratio·next, gi = next·inv, grad += q, hess += q·gi (fused),
// peak = max(peak, gi). With wide (the processor has AVX-512F), sixteen
// elements per step first in two sets of 8-lane accumulators, whose upper
// halves then join the lower; then eight per step in two sets of 4-lane
// accumulators (one set would wait on its own sums), then four, then one
// at a time into lane 0 of a third set, all summed (or maxed) at the end.
// Requires inv and x, and with step mu and prev, at least as long as
// next. Clobbers AX, BX, CX, DX, SI, DI, R8–R12, Y0–Y15 (X0–X15), with
// wide also Z0–Z15 and K1–K2, flags.
TEXT ·coordSumsAVX2(SB), NOSPLIT, $0-160
	MOVQ mu_base+0(FP), SI
	MOVQ inv_base+24(FP), DI
	MOVQ x_base+48(FP), R8
	MOVQ prev_base+72(FP), R9
	MOVQ next_base+96(FP), R10
	MOVQ next_len+104(FP), CX
	VBROADCASTSD delta+120(FP), Y10
	MOVBLZX step+128(FP), DX
	MOVQ $0x3ff0000000000000, AX // 1.0
	VMOVQ AX, X11 // VEX: a legacy MOVQ here made the whole loop 2–3 times slower
	VBROADCASTSD X11, Y11
	VXORPD Y0, Y0, Y0 // grad
	VXORPD Y1, Y1, Y1 // hess
	VXORPD Y2, Y2, Y2 // peak
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ BX, BX
	MOVBLZX wide+129(FP), R12
	TESTQ   R12, R12
	JZ      narrow
	VBROADCASTSD X10, Z10
	VBROADCASTSD X11, Z11
	LEAQ -16(CX), R12
	TESTQ DX, DX
	JZ    z16grad

	// Sixteen rates a step, eight lanes wide, one division for the
	// sixteen as in c8update below; a product outside cdrange leaves
	// the rest to the four-lane loops, which divide directly there.
z16step:
	CMPQ BX, R12
	JGT  zfold
	VMOVUPD     0(SI)(BX*8), Z12
	VFMADD231PD 0(R9)(BX*8), Z10, Z12   // A
	VMOVUPD     64(SI)(BX*8), Z14
	VFMADD231PD 64(R9)(BX*8), Z10, Z14  // B
	VMULPD      Z14, Z12, Z15           // A·B
	VCMPPD      $0x1d, cdrangez<>+0(SB), Z15, K1
	VCMPPD      $0x12, cdrangez<>+64(SB), Z15, K2
	KANDW       K2, K1, K1
	KMOVW       K1, R11
	CMPQ        R11, $0xff
	JNE         zfold
	VMOVUPD     Z12, 0(SI)(BX*8)
	VMOVUPD     Z14, 64(SI)(BX*8)
	VDIVPD      Z15, Z11, Z8            // 1/(A·B)
	VMULPD      Z8, Z14, Z7             // 1/A
	VMULPD      Z8, Z12, Z13            // 1/B
	VMOVUPD     Z7, 0(DI)(BX*8)
	VMOVUPD     Z13, 64(DI)(BX*8)
	SUMSZ(0, Z7, Z0, Z1, Z2)
	SUMSZ(64, Z13, Z3, Z4, Z5)
	ADDQ $16, BX
	JMP  z16step

z16grad:
	CMPQ BX, R12
	JGT  zfold
	VMOVUPD 0(DI)(BX*8), Z7
	VMOVUPD 64(DI)(BX*8), Z13
	SUMSZ(0, Z7, Z0, Z1, Z2)
	SUMSZ(64, Z13, Z3, Z4, Z5)
	ADDQ $16, BX
	JMP  z16grad

zfold:
	// The upper halves join the lower, which the loops below go on with.
	VEXTRACTF64X4 $1, Z0, Y6
	VADDPD        Y6, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y6
	VADDPD        Y6, Y1, Y1
	VEXTRACTF64X4 $1, Z2, Y6
	VMAXPD        Y6, Y2, Y2
	VEXTRACTF64X4 $1, Z3, Y6
	VADDPD        Y6, Y3, Y3
	VEXTRACTF64X4 $1, Z4, Y6
	VADDPD        Y6, Y4, Y4
	VEXTRACTF64X4 $1, Z5, Y6
	VMAXPD        Y6, Y5, Y5

narrow:
	LEAQ -8(CX), AX

	// Without step the loops run straight through (the update sits off
	// the path, so GradSums takes one branch per step, as a loop of its
	// own would); with step the division bounds them anyway.
c8:
	CMPQ BX, AX
	JGT  c4
	TESTQ DX, DX
	JNZ  c8update
	VMOVUPD 0(DI)(BX*8), Y7
	VMOVUPD 32(DI)(BX*8), Y13

c8sums:
	SUMS(0, Y7, Y0, Y1, Y2)
	SUMS(32, Y13, Y3, Y4, Y5)
	ADDQ $8, BX
	JMP  c8

c8update:
	// Eight rates, one division: with A, B the two groups of four,
	// 1/A = B·(1/(A·B)) and 1/B = A·(1/(A·B)), within 1.5 ulp of
	// the quotients. When a lane of A·B falls outside [2^−1000, 2^1000]
	// (where 1/(A·B) could lose bits or overflow, and for 0, ±Inf and
	// NaN), both groups divide directly instead.
	VMOVUPD     0(SI)(BX*8), Y12
	VFMADD231PD 0(R9)(BX*8), Y10, Y12   // A
	VMOVUPD     32(SI)(BX*8), Y14
	VFMADD231PD 32(R9)(BX*8), Y10, Y14  // B
	VMOVUPD     Y12, 0(SI)(BX*8)
	VMOVUPD     Y14, 32(SI)(BX*8)
	VMULPD      Y14, Y12, Y15           // A·B
	VCMPPD      $0x1d, cdrange<>+0(SB), Y15, Y8  // ≥ 2^−1000
	VCMPPD      $0x12, cdrange<>+32(SB), Y15, Y9 // ≤ 2^1000
	VANDPD      Y9, Y8, Y8
	VMOVMSKPD   Y8, R11
	CMPQ        R11, $15
	JNE         c8direct
	VDIVPD      Y15, Y11, Y8            // 1/(A·B)
	VMULPD      Y8, Y14, Y7             // 1/A
	VMULPD      Y8, Y12, Y13            // 1/B
	VMOVUPD     Y7, 0(DI)(BX*8)
	VMOVUPD     Y13, 32(DI)(BX*8)
	JMP         c8sums

c8direct:
	VDIVPD  Y12, Y11, Y7
	VDIVPD  Y14, Y11, Y13
	VMOVUPD Y7, 0(DI)(BX*8)
	VMOVUPD Y13, 32(DI)(BX*8)
	JMP     c8sums

c4:
	LEAQ -4(CX), AX
	CMPQ BX, AX
	JGT  c1start
	TESTQ DX, DX
	JNZ  c4update
	VMOVUPD 0(DI)(BX*8), Y7

c4sums:
	SUMS(0, Y7, Y0, Y1, Y2)
	ADDQ $4, BX
	JMP  c1start

c4update:
	UPDATE(0, Y7)
	JMP c4sums

c1start:
	// The second set joins the first; its registers take the last
	// elements, one at a time in lane 0.
	VADDPD Y3, Y0, Y0
	VADDPD Y4, Y1, Y1
	VMAXPD Y5, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5

c1:
	CMPQ BX, CX
	JGE  creduce
	TESTQ DX, DX
	JZ   c1load
	VMOVSD      0(SI)(BX*8), X12
	VFMADD231SD 0(R9)(BX*8), X10, X12
	VDIVSD      X12, X11, X7
	VMOVSD      X12, 0(SI)(BX*8)
	VMOVSD      X7, 0(DI)(BX*8)
	JMP         c1sums

c1load:
	VMOVSD 0(DI)(BX*8), X7

c1sums:
	VMOVSD      0(R10)(BX*8), X6
	VMULSD      X7, X6, X8       // gi
	VMULSD      0(R8)(BX*8), X7, X9
	VMULSD      X6, X9, X9       // q
	VADDSD      X9, X3, X3
	VFMADD231SD X8, X9, X4
	VMAXSD      X8, X5, X5
	INCQ        BX
	JMP         c1

creduce:
	VADDPD Y3, Y0, Y0
	VADDPD Y4, Y1, Y1
	VMAXPD Y5, Y2, Y2
	SUMS3(grad+136(FP), hess+144(FP), peak+152(FP))
	RET
