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
DATA vconst<>+288(SB)/8, $10.0
DATA vconst<>+296(SB)/8, $1e-290 // DigammaLogGammaTo's lanes: x in [1e-290, 1e300]
DATA vconst<>+304(SB)/8, $1e+300
DATA vconst<>+312(SB)/8, $0.9189385332046728 // ½ log 2π
// ψ's series Σ B_2k/(2k) w^(k−1) and Stirling's Σ B_2k/(2k(2k−1)) w^(k−1)
// (w = 1/x²), their coefficients from the highest power down, signed for
// Horner with fused multiply-adds.
DATA vconst<>+320(SB)/8, $0.08333333333333333
DATA vconst<>+328(SB)/8, $-0.021092796092796094
DATA vconst<>+336(SB)/8, $0.007575757575757576
DATA vconst<>+344(SB)/8, $-0.004166666666666667
DATA vconst<>+352(SB)/8, $0.003968253968253968
DATA vconst<>+360(SB)/8, $-0.008333333333333333
DATA vconst<>+368(SB)/8, $0.08333333333333333
DATA vconst<>+376(SB)/8, $-0.029550653594771242
DATA vconst<>+384(SB)/8, $0.00641025641025641
DATA vconst<>+392(SB)/8, $-0.0019175269175269176
DATA vconst<>+400(SB)/8, $0.0008417508417508417
DATA vconst<>+408(SB)/8, $-0.0005952380952380953
DATA vconst<>+416(SB)/8, $0.0007936507936507937
DATA vconst<>+424(SB)/8, $-0.002777777777777778
DATA vconst<>+432(SB)/8, $0.08333333333333333
GLOBL vconst<>(SB), RODATA|NOPTR, $440

// INRANGE compares every lane of Y0 with [Y14, Y15] (ordered: a NaN is
// out) and sets the flags so that JNE jumps unless all four are in.
// Clobbers AX, Y1, Y2.
#define INRANGE \
	VCMPPD $0x1d, Y14, Y0, Y1; \
	VCMPPD $0x12, Y15, Y0, Y2; \
	VANDPD Y2, Y1, Y1; \
	VMOVMSKPD Y1, AX; \
	CMPQ AX, $15

// HORNER(off, x, p) is one step of a polynomial in Horner form,
// p = p·x + c with c the constant at vconst<>+off, fused. Clobbers Y1.
#define HORNER(off, x, p) \
	VBROADCASTSD vconst<>+off(SB), Y1; \
	VFMADD213PD Y1, x, p

// LOGPD sets Y3 to the logarithm of each lane of Y0, which must hold
// positive normal finite numbers: Y0 = 2^e·m with m in [√2/2, √2),
// f = m − 1, s = f/(2 + f), log(1 + f) = f − f²/2 + s(f²/2 + R(s²)) with R
// of degree 7 (the classic method, as in FreeBSD's msun), e·ln 2 added in
// two parts. Clobbers Y1, Y2, Y4–Y10.
#define LOGPD \
	VBROADCASTSD vconst<>+0(SB), Y1; \
	VANDPD Y1, Y0, Y2; \
	VBROADCASTSD vconst<>+8(SB), Y1; \
	VORPD Y1, Y2, Y2; \
	VPSRLQ $52, Y0, Y3; \
	VBROADCASTSD vconst<>+16(SB), Y1; \
	VPOR Y1, Y3, Y3; \
	VBROADCASTSD vconst<>+24(SB), Y1; \
	VSUBPD Y1, Y3, Y3; \
	VBROADCASTSD vconst<>+32(SB), Y1; \
	VCMPPD $0x1e, Y1, Y2, Y4; \
	VBROADCASTSD vconst<>+40(SB), Y1; \
	VMULPD Y1, Y2, Y5; \
	VANDPD Y4, Y5, Y5; \
	VSUBPD Y5, Y2, Y2; \
	VBROADCASTSD vconst<>+48(SB), Y1; \
	VANDPD Y4, Y1, Y5; \
	VADDPD Y5, Y3, Y3; \
	VSUBPD Y1, Y2, Y2; \
	VBROADCASTSD vconst<>+56(SB), Y1; \
	VADDPD Y1, Y2, Y4; \
	VDIVPD Y4, Y2, Y4; \
	VMULPD Y4, Y4, Y5; \
	VMULPD Y5, Y5, Y6; \
	VBROADCASTSD vconst<>+104(SB), Y7; \
	VBROADCASTSD vconst<>+88(SB), Y1; \
	VFMADD213PD Y1, Y6, Y7; \
	VBROADCASTSD vconst<>+72(SB), Y1; \
	VFMADD213PD Y1, Y6, Y7; \
	VMULPD Y6, Y7, Y7; \
	VBROADCASTSD vconst<>+112(SB), Y8; \
	VBROADCASTSD vconst<>+96(SB), Y1; \
	VFMADD213PD Y1, Y6, Y8; \
	VBROADCASTSD vconst<>+80(SB), Y1; \
	VFMADD213PD Y1, Y6, Y8; \
	VBROADCASTSD vconst<>+64(SB), Y1; \
	VFMADD213PD Y1, Y6, Y8; \
	VMULPD Y5, Y8, Y8; \
	VADDPD Y8, Y7, Y7; \
	VMULPD Y2, Y2, Y9; \
	VBROADCASTSD vconst<>+40(SB), Y1; \
	VMULPD Y1, Y9, Y9; \
	VADDPD Y9, Y7, Y7; \
	VBROADCASTSD vconst<>+128(SB), Y1; \
	VMULPD Y1, Y3, Y10; \
	VFMADD231PD Y7, Y4, Y10; \
	VSUBPD Y10, Y9, Y9; \
	VSUBPD Y2, Y9, Y9; \
	VBROADCASTSD vconst<>+120(SB), Y1; \
	VMULPD Y1, Y3, Y3; \
	VSUBPD Y9, Y3, Y3;

// func logAVX2(dst, src []float64) (done int)
//
// Sets dst[j] = log(src[j]) four at a time from the start, for as long
// as every lane of a group is a positive normal finite number, and
// returns how many it set (a multiple of 4; the caller finishes the
// rest). Requires len(dst) ≥ len(src). See LOGPD. Clobbers AX, BX, CX,
// SI, DI, Y0–Y10, Y14, Y15 (X0–X10, X14, X15), flags.
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
	INRANGE
	JNE  ldone

	LOGPD
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
	// Every lane in [−708, 709], or stop.
	INRANGE
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
	HORNER(272, Y4, Y5)
	HORNER(264, Y4, Y5)
	HORNER(256, Y4, Y5)
	HORNER(248, Y4, Y5)
	HORNER(240, Y4, Y5)
	HORNER(232, Y4, Y5)
	HORNER(224, Y4, Y5)
	HORNER(216, Y4, Y5)
	HORNER(208, Y4, Y5)
	HORNER(200, Y4, Y5)
	HORNER(192, Y4, Y5)
	HORNER(48, Y4, Y5)
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

// func digammaLogGammaAVX2(psi, lgamma, x []float64) (done int)
//
// Sets psi[j] = ψ(x[j]) and lgamma[j] = log Γ(x[j]) four at a time from
// the start, for as long as every lane of a group is in [1e-290, 1e300],
// and returns how many it set (a multiple of 4; the caller finishes the
// rest). Requires len(psi), len(lgamma) ≥ len(x). The method of
// DigammaLogGammaTo: five steps of two, x ← x + 2 while x < 10 (masked
// per lane, always five, so that the loop has no data-dependent branch),
// with Σ 1/(x + i) kept as num/prod, prod = Π (x + i):
//
//	q = x(x + 1), num ← num·q + prod·(2x + 1), prod ← prod·q;
//
// then ψ = log x − 1/(2x) − w·S(w) − num/prod and log Γ = (x − ½) log x − x
// + ½ log 2π + T(w)/x − log prod, w = 1/x². Clobbers AX, BX, CX, DX, SI,
// DI, R8, R9, Y0–Y15 (X0–X15), flags.
TEXT ·digammaLogGammaAVX2(SB), NOSPLIT, $0-80
	MOVQ psi_base+0(FP), DI
	MOVQ lgamma_base+24(FP), R8
	MOVQ x_base+48(FP), SI
	MOVQ x_len+56(FP), CX
	XORQ BX, BX

dgroup:
	LEAQ 4(BX), AX
	CMPQ AX, CX
	JGT  ddone
	VMOVUPD (SI)(BX*8), Y11 // x
	VBROADCASTSD vconst<>+296(SB), Y1
	VCMPPD $0x1d, Y1, Y11, Y2 // x ≥ 1e-290 (ordered)
	VBROADCASTSD vconst<>+304(SB), Y1
	VCMPPD $0x12, Y1, Y11, Y3 // x ≤ 1e300 (ordered)
	VANDPD Y3, Y2, Y2
	VMOVMSKPD Y2, AX
	CMPQ AX, $15
	JNE  ddone

	VXORPD Y12, Y12, Y12             // num
	VBROADCASTSD vconst<>+48(SB), Y13 // prod = 1
	VBROADCASTSD vconst<>+48(SB), Y14 // 1
	VBROADCASTSD vconst<>+56(SB), Y15 // 2
	VBROADCASTSD vconst<>+288(SB), Y10 // 10
	MOVQ $5, DX

dstep:
	VCMPPD $0x11, Y10, Y11, Y0 // x < 10
	VADDPD Y14, Y11, Y1        // x + 1
	VMULPD Y11, Y1, Y1         // q = x(x + 1)
	VBLENDVPD Y0, Y1, Y14, Y1  // q, or 1 in a finished lane
	VMOVAPD Y14, Y2
	VFMADD231PD Y15, Y11, Y2   // 2x + 1
	VANDPD Y0, Y2, Y2          // or 0
	VMULPD Y13, Y2, Y2         // prod·(2x + 1)
	VFMADD213PD Y2, Y1, Y12    // num = num·q + prod·(2x + 1)
	VMULPD Y1, Y13, Y13        // prod ·= q
	VANDPD Y0, Y15, Y2
	VADDPD Y2, Y11, Y11        // x += 2, or 0
	DECQ DX
	JNZ  dstep

	VDIVPD Y13, Y12, Y12 // Σ 1/(x + i) = num/prod
	VMOVAPD Y11, Y0
	LOGPD
	VMOVAPD Y3, Y15      // log x
	VMOVAPD Y13, Y0
	LOGPD
	VMOVAPD Y3, Y13      // log prod
	VBROADCASTSD vconst<>+48(SB), Y1
	VDIVPD Y11, Y1, Y14  // 1/x
	VMULPD Y14, Y14, Y10 // w

	// S(w), from w⁶ down; ψ = log x − ½/x − w·S − num/prod.
	VBROADCASTSD vconst<>+320(SB), Y4
	HORNER(328, Y10, Y4)
	HORNER(336, Y10, Y4)
	HORNER(344, Y10, Y4)
	HORNER(352, Y10, Y4)
	HORNER(360, Y10, Y4)
	HORNER(368, Y10, Y4)
	VMULPD Y10, Y4, Y4
	VBROADCASTSD vconst<>+40(SB), Y5 // ½
	VMOVAPD Y15, Y6
	VFNMADD231PD Y5, Y14, Y6
	VSUBPD Y4, Y6, Y6
	VSUBPD Y12, Y6, Y6
	VMOVUPD Y6, (DI)(BX*8)

	// T(w), from w⁷ down; log Γ = (x − ½) log x − x + ½ log 2π + T/x − log prod.
	VBROADCASTSD vconst<>+376(SB), Y7
	HORNER(384, Y10, Y7)
	HORNER(392, Y10, Y7)
	HORNER(400, Y10, Y7)
	HORNER(408, Y10, Y7)
	HORNER(416, Y10, Y7)
	HORNER(424, Y10, Y7)
	HORNER(432, Y10, Y7)
	VMULPD Y14, Y7, Y7
	VSUBPD Y5, Y11, Y8
	VMULPD Y15, Y8, Y8
	VSUBPD Y11, Y8, Y8
	VBROADCASTSD vconst<>+312(SB), Y1
	VADDPD Y1, Y8, Y8
	VADDPD Y7, Y8, Y8
	VSUBPD Y13, Y8, Y8
	VMOVUPD Y8, (R8)(BX*8)
	ADDQ $4, BX
	JMP  dgroup

ddone:
	VZEROUPPER
	MOVQ BX, done+72(FP)
	RET
