/* guest-test: variants=nostdlib,static-pie cflags=-nostdlib -nostartfiles
 * A program without libc: its own _start reads argc and argv from the initial stack, writes
 * them with the write system call, computes a checksum with a loop of integer instructions,
 * uses the red zone and an unaligned stack access, and exits with exit_group(status). */
        .text
        .globl _start
_start:
        mov     (%rsp), %r12            /* argc */
        lea     8(%rsp), %r13           /* argv */
        lea     msg(%rip), %rsi
        mov     $msg_len, %edx
        call    write_out
        xor     %ebx, %ebx
1:      cmp     %r12, %rbx
        jae     2f
        mov     (%r13,%rbx,8), %rsi
        call    strlen_rsi
        mov     %rax, %rdx
        call    write_out
        lea     nl(%rip), %rsi
        mov     $1, %edx
        call    write_out
        inc     %rbx
        jmp     1b
2:      /* checksum loop: rax = sum over i<100000 of (i*i ^ (i>>3)) rotated */
        xor     %eax, %eax
        xor     %ecx, %ecx
3:      mov     %rcx, %rdx
        imul    %rdx, %rdx
        mov     %rcx, %r8
        shr     $3, %r8
        xor     %r8, %rdx
        rol     $5, %rax
        add     %rdx, %rax
        inc     %rcx
        cmp     $100000, %rcx
        jb      3b
        mov     %rax, -8(%rsp)          /* red zone */
        mov     -8(%rsp), %r14
        /* print the checksum in hex */
        lea     hexbuf+16(%rip), %rdi
        movb    $10, (%rdi)
        mov     $16, %ecx
4:      dec     %rdi
        mov     %r14, %rdx
        and     $15, %edx
        lea     hexdigits(%rip), %r9
        movzbl  (%r9,%rdx), %edx
        mov     %dl, (%rdi)
        shr     $4, %r14
        loop    4b
        lea     hexbuf(%rip), %rsi
        mov     $17, %edx
        call    write_out
        mov     $231, %eax              /* exit_group */
        mov     $37, %edi
        syscall
        hlt

write_out:                              /* write(1, rsi, rdx) */
        mov     $1, %eax
        mov     $1, %edi
        syscall
        ret

strlen_rsi:
        xor     %eax, %eax
5:      cmpb    $0, (%rsi,%rax)
        je      6f
        inc     %rax
        jmp     5b
6:      ret

        .section .rodata
msg:    .ascii  "no libc here\n"
        .set    msg_len, . - msg
nl:     .ascii  "\n"
hexdigits: .ascii "0123456789abcdef"
        .bss
hexbuf: .skip   17
        .section .note.GNU-stack,"",@progbits
