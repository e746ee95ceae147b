//go:build amd64 && !purego

#include "textflag.h"

// Constants of the vector logarithm and exponential, one float64 (or bit
// pattern) each, broadcast to four lanes where used.
DATA vconst<>+0(SB)/8, $0x000FFFFFFFFFFFFF   // mantissa bits
DATA vconst<>+8(SB)/8, $0x3FF0000000000000   // exponent of 1.0
DATA vconst<>+16(SB)/8, $0x4330000000000000  // 2^52 (integer to float)
DATA vconst<>+24(SB)/8, $4503599627371519.0  // 2^52 + 1023: unbias
DATA vconst<>+32(SB)/8, $1.4142135623730951  // √2
DATA vconst<>+40(SB)/8, $0.5
DATA vconst<>+48(SB)/8, $1.0
DATA vconst<>+56(SB)/8, $2.0
DATA vconst<>+64(SB)/8, $6.666666666666735130e-01 // Lg1
DATA vconst<>+72(SB)/8, $3.999999999940941908e-01 // Lg2
DATA vconst<>+80(SB)/8, $2.857142874366239149e-01 // Lg3
DATA vconst<>+88(SB)/8, $2.222219843214978396e-01 // Lg4
DATA vconst<>+96(SB)/8, $1.818357216161805012e-01 // Lg5
DATA vconst<>+104(SB)/8, $1.531383769920937332e-01 // Lg6
DATA vconst<>+112(SB)/8, $1.479819860511658591e-01 // Lg7
DATA vconst<>+120(SB)/8, $6.93147180369123816490e-01 // ln 2, high part
DATA vconst<>+128(SB)/8, $1.90821492927058770002e-10 // ln 2, low part
DATA vconst<>+136(SB)/8, $2.2250738585072014e-308  // smallest normal
DATA vconst<>+144(SB)/8, $1.7976931348623157e+308  // largest finite
DATA vconst<>+152(SB)/8, $1.4426950408889634     // 1/ln 2
DATA vconst<>+160(SB)/8, $6755399441055744.0     // 1.5·2^52: round to integer
DATA vconst<>+168(SB)/8, $1023
DATA vconst<>+176(SB)/8, $-708.0                 // exp's range
DATA vconst<>+184(SB)/8, $709.0
// 1/k! for k = 2..13, exp's Taylor coefficients on |r| ≤ ln2/2.
DATA vconst<>+192(SB)/8, $0.5
DATA vconst<>+200(SB)/8, $0.16666666666666666
DATA vconst<>+208(SB)/8, $0.041666666666666664
DATA vconst<>+216(SB)/8, $0.008333333333333333
DATA vconst<>+224(SB)/8, $0.001388888888888889
DATA vconst<>+232(SB)/8, $0.0001984126984126984
DATA vconst<>+240(SB)/8, $2.48015873015873e-05
DATA vconst<>+248(SB)/8, $2.7557319223985893e-06
DATA vconst<>+256(SB)/8, $2.755731922398589e-07
DATA vconst<>+264(SB)/8, $2.505210838544172e-08
DATA vconst<>+272(SB)/8, $2.08767569878681e-09
DATA vconst<>+280(SB)/8, $1.6059043836821613e-10
GLOBL vconst<>(SB), RODATA|NOPTR, $288

// func logAVX2(dst, src []float64) (done int)
//
// Sets dst[j] = log(src[j]) four at a time from the start, for as long
// as every lane of a group is a positive normal finite number, and
// returns how many it set (a multiple of 4; the caller finishes the
// rest). Requires len(dst) ≥ len(src). The method is the classic one
// (as in FreeBSD's msun): src = 2^e·m with m in [√2/2, √2), f = m − 1,
// s = f/(2 + f), log(1 + f) = f − f²/2 + s(f²/2 + R(s²)) with R of
// degree 7, e·ln 2 added in two parts; here with fused multiply-adds.
// Clobbers AX, BX, CX, SI, DI, Y0–Y15 (X0–X15), flags.
TEXT ·logAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ BX, BX
	VBROADCASTSD vconst<>+136(SB), Y14
	VBROADCASTSD vconst<>+144(SB), Y15

lgroup:
	LEAQ 4(BX), AX
	CMPQ AX, CX
	JGT  ldone
	VMOVUPD (SI)(BX*8), Y0
	// Every lane in [smallest normal, largest finite], or stop.
	VCMPPD $0x1d, Y14, Y0, Y1 // x ≥ min (ordered)
	VCMPPD $0x12, Y15, Y0, Y2 // x ≤ max (ordered)
	VANDPD Y2, Y1, Y1
	VMOVMSKPD Y1, AX
	CMPQ AX, $15
	JNE  ldone

	// m in [1, 2), e = biased exponent as a float, minus 1023.
	VBROADCASTSD vconst<>+0(SB), Y1
	VANDPD Y1, Y0, Y2
	VBROADCASTSD vconst<>+8(SB), Y1
	VORPD Y1, Y2, Y2          // Y2 = m
	VPSRLQ $52, Y0, Y3
	VBROADCASTSD vconst<>+16(SB), Y1
	VPOR Y1, Y3, Y3
	VBROADCASTSD vconst<>+24(SB), Y1
	VSUBPD Y1, Y3, Y3         // Y3 = e
	// m > √2: m /= 2, e += 1.
	VBROADCASTSD vconst<>+32(SB), Y1
	VCMPPD $0x1e, Y1, Y2, Y4  // m > √2
	VBROADCASTSD vconst<>+40(SB), Y1
	VMULPD Y1, Y2, Y5
	VANDPD Y4, Y5, Y5
	VSUBPD Y5, Y2, Y2
	VBROADCASTSD vconst<>+48(SB), Y1
	VANDPD Y4, Y1, Y5
	VADDPD Y5, Y3, Y3
	// f = m − 1, s = f/(2 + f), z = s², w = z².
	VSUBPD Y1, Y2, Y2         // Y2 = f
	VBROADCASTSD vconst<>+56(SB), Y1
	VADDPD Y1, Y2, Y4
	VDIVPD Y4, Y2, Y4         // Y4 = s
	VMULPD Y4, Y4, Y5         // Y5 = z
	VMULPD Y5, Y5, Y6         // Y6 = w
	// t1 = w(Lg2 + w(Lg4 + w Lg6)), t2 = z(Lg1 + w(Lg3 + w(Lg5 + w Lg7))).
	VBROADCASTSD vconst<>+104(SB), Y7
	VBROADCASTSD vconst<>+88(SB), Y1
	VFMADD213PD Y1, Y6, Y7    // Y7 = w·Y7 + Lg4
	VBROADCASTSD vconst<>+72(SB), Y1
	VFMADD213PD Y1, Y6, Y7    // + Lg2
	VMULPD Y6, Y7, Y7         // t1
	VBROADCASTSD vconst<>+112(SB), Y8
	VBROADCASTSD vconst<>+96(SB), Y1
	VFMADD213PD Y1, Y6, Y8
	VBROADCASTSD vconst<>+80(SB), Y1
	VFMADD213PD Y1, Y6, Y8
	VBROADCASTSD vconst<>+64(SB), Y1
	VFMADD213PD Y1, Y6, Y8
	VMULPD Y5, Y8, Y8         // t2
	VADDPD Y8, Y7, Y7         // R
	// hfsq = f²/2; log = e·ln2hi − ((hfsq − (s(hfsq + R) + e·ln2lo)) − f).
	VMULPD Y2, Y2, Y9
	VBROADCASTSD vconst<>+40(SB), Y1
	VMULPD Y1, Y9, Y9         // hfsq
	VADDPD Y9, Y7, Y7         // hfsq + R
	VBROADCASTSD vconst<>+128(SB), Y1
	VMULPD Y1, Y3, Y10        // e·ln2lo
	VFMADD231PD Y7, Y4, Y10   // + s(hfsq + R)
	VSUBPD Y10, Y9, Y9        // hfsq − (…)
	VSUBPD Y2, Y9, Y9         // (…) − f
	VBROADCASTSD vconst<>+120(SB), Y1
	VMULPD Y1, Y3, Y3         // e·ln2hi
	VSUBPD Y9, Y3, Y3
	VMOVUPD Y3, (DI)(BX*8)
	ADDQ $4, BX
	JMP  lgroup

ldone:
	VZEROUPPER
	MOVQ BX, done+48(FP)
	RET

// func expAVX2(dst, src []float64) (done int)
//
// Sets dst[j] = exp(src[j]) four at a time from the start, for as long
// as every lane of a group is in [−708, 709] (where the result is a
// normal number), and returns how many it set (a multiple of 4; the
// caller finishes the rest). Requires len(dst) ≥ len(src). src =
// n·ln 2 + r with n = round(src/ln 2) and |r| ≤ ln2/2 (ln 2 in two
// parts), exp(r) by its Taylor series to degree 13 (the first omitted
// term is below 5e-18), times 2^n built in the exponent bits. Clobbers
// AX, BX, CX, SI, DI, Y0–Y15 (X0–X15), flags.
TEXT ·expAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ BX, BX
	VBROADCASTSD vconst<>+176(SB), Y14
	VBROADCASTSD vconst<>+184(SB), Y15

egroup:
	LEAQ 4(BX), AX
	CMPQ AX, CX
	JGT  edone
	VMOVUPD (SI)(BX*8), Y0
	VCMPPD $0x1d, Y14, Y0, Y1 // x ≥ −708 (ordered)
	VCMPPD $0x12, Y15, Y0, Y2 // x ≤ 709 (ordered)
	VANDPD Y2, Y1, Y1
	VMOVMSKPD Y1, AX
	CMPQ AX, $15
	JNE  edone

	// n = round(x/ln 2), as a float (Y2) and in the low bits of Y3.
	VBROADCASTSD vconst<>+152(SB), Y1
	VMULPD Y1, Y0, Y2
	VROUNDPD $0, Y2, Y2
	VBROADCASTSD vconst<>+160(SB), Y1
	VADDPD Y1, Y2, Y3
	// r = x − n·ln2hi − n·ln2lo.
	VBROADCASTSD vconst<>+120(SB), Y1
	VMOVAPD Y0, Y4
	VFNMADD231PD Y1, Y2, Y4
	VBROADCASTSD vconst<>+128(SB), Y1
	VFNMADD231PD Y1, Y2, Y4   // Y4 = r
	// p = Σ_{k=0}^{13} r^k/k!, Horner from the top.
	VBROADCASTSD vconst<>+280(SB), Y5
	VBROADCASTSD vconst<>+272(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+264(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+256(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+248(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+240(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+232(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+224(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+216(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+208(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+200(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+192(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VBROADCASTSD vconst<>+48(SB), Y1
	VFMADD213PD Y1, Y4, Y5
	VFMADD213PD Y1, Y4, Y5    // Y5 = exp(r)
	// 2^n: (bits(n + 1.5·2^52) + 1023) << 52.
	VBROADCASTSD vconst<>+168(SB), Y1
	VPADDQ Y1, Y3, Y3
	VPSLLQ $52, Y3, Y3
	VMULPD Y3, Y5, Y5
	VMOVUPD Y5, (DI)(BX*8)
	ADDQ $4, BX
	JMP  egroup

edone:
	VZEROUPPER
	MOVQ BX, done+48(FP)
	RET

// func gammaShiftAVX2(x, num, prod []float64)
//
// For the first len(x) − len(x) mod 4 elements, in groups of four lanes,
// shifts x[j] up by one while it is below 10, at most ten times,
// accumulating Σ 1/(x + i) as the fraction num[j]/prod[j] with
// prod[j] = Π (x + i): num ← num·x + prod, prod ← prod·x, x ← x + 1,
// each step masked per lane (a finished lane multiplies by 1 and adds 0).
// num and prod start at 0 and 1. Requires len(num), len(prod) ≥ len(x).
// Clobbers AX, BX, CX, DX, SI, DI, R8, Y0–Y8 (X0–X8), flags.
TEXT ·gammaShiftAVX2(SB), NOSPLIT, $0-72
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ num_base+24(FP), DI
	MOVQ prod_base+48(FP), R8
	XORQ BX, BX
	VBROADCASTSD vconst<>+48(SB), Y6 // 1
	MOVQ $10, AX
	CVTSQ2SD AX, X7
	VBROADCASTSD X7, Y7              // 10

sgroup:
	LEAQ 4(BX), AX
	CMPQ AX, CX
	JGT  sdone
	VMOVUPD (SI)(BX*8), Y0 // x
	VXORPD Y1, Y1, Y1      // num
	VMOVAPD Y6, Y2         // prod
	MOVQ $10, DX

sstep:
	VCMPPD $0x11, Y7, Y0, Y3 // x < 10 (ordered: NaN never shifts)
	VMOVMSKPD Y3, AX
	TESTQ AX, AX
	JZ   sstore
	VBLENDVPD Y3, Y0, Y6, Y4 // the lane's factor: x, or 1 when finished
	VANDPD Y3, Y2, Y5        // prod, or 0
	VFMADD213PD Y5, Y4, Y1   // num = num·factor + (prod or 0)
	VMULPD Y4, Y2, Y2        // prod ·= factor
	VANDPD Y3, Y6, Y5
	VADDPD Y5, Y0, Y0        // x += 1 or 0
	DECQ DX
	JNZ  sstep

sstore:
	VMOVUPD Y0, (SI)(BX*8)
	VMOVUPD Y1, (DI)(BX*8)
	VMOVUPD Y2, (R8)(BX*8)
	ADDQ $4, BX
	JMP  sgroup

sdone:
	VZEROUPPER
	RET
