/* The program the -d cpu,fpu differential test runs: x87, MMX-free, SSE and AVX state set to
 * known values, then a jump to `done`, whose block's register dump both emulators print. */
        .text
        .globl _start
_start:
        finit
        fldt    ld_val(%rip)
        fld1
        fldpi
        fldz
        fstp    %st(0)
        fldcw   cw_val(%rip)
        vmovdqu vec_a(%rip), %ymm3
        vmovdqu vec_b(%rip), %ymm15
        movdqu  vec_b(%rip), %xmm7
        ldmxcsr mxcsr_val(%rip)
        jmp     done
        .globl done
done:
        mov     $60, %eax
        xor     %edi, %edi
        syscall

        .data
        .balign 32
vec_a:  .quad 0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444
vec_b:  .quad 0x0123456789abcdef, 0xfedcba9876543210, 0x5555aaaa5555aaaa, 0x8000000000000001
ld_val: .quad 0xc000000000000000
        .short 0xc001
cw_val: .short 0x0b7f
mxcsr_val: .long 0x3fa1
