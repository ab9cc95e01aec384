// A small register-machine interpreter (a switch dispatch loop, as scripting engines have)
// running a Collatz step counter written in its own bytecode.
#include "kernel.h"

enum Opcode { OP_MOV, OP_ADDI, OP_ANDI, OP_SHRI, OP_MULI, OP_EQI, OP_JZ, OP_JNZ, OP_JMP, OP_HALT };

typedef struct {
  uint8_t op;
  uint8_t dst;
  uint8_t src;
  int32_t imm;  // immediate operand or jump target
} Instruction;

// Registers: r0 = current start value, r1 = trajectory value, r2 = total steps,
// r3 = start values left, r4 = scratch.
static const Instruction collatz_program[] = {
    {OP_MOV, 1, 0, 0},    // 0: r1 = r0
    {OP_EQI, 4, 1, 1},    // 1: r4 = (r1 == 1)
    {OP_JNZ, 0, 4, 11},   // 2: trajectory done
    {OP_ADDI, 2, 2, 1},   // 3: one more step
    {OP_ANDI, 4, 1, 1},   // 4: r4 = r1 odd?
    {OP_JZ, 0, 4, 9},     // 5: even: halve
    {OP_MULI, 1, 1, 3},   // 6: odd: r1 = 3 r1 + 1
    {OP_ADDI, 1, 1, 1},   // 7
    {OP_JMP, 0, 0, 1},    // 8
    {OP_SHRI, 1, 1, 1},   // 9: r1 /= 2
    {OP_JMP, 0, 0, 1},    // 10
    {OP_ADDI, 0, 0, 1},   // 11: next start value
    {OP_ADDI, 3, 3, -1},  // 12
    {OP_JNZ, 0, 3, 0},    // 13
    {OP_HALT, 0, 0, 0},   // 14
};

static uint32_t run_program(const Instruction* program, uint32_t regs[8]) {
  uint32_t pc = 0;
  for (;;) {
    const Instruction* in = &program[pc++];
    switch (in->op) {
      case OP_MOV:
        regs[in->dst] = regs[in->src];
        break;
      case OP_ADDI:
        regs[in->dst] = regs[in->src] + (uint32_t)in->imm;
        break;
      case OP_ANDI:
        regs[in->dst] = regs[in->src] & (uint32_t)in->imm;
        break;
      case OP_SHRI:
        regs[in->dst] = regs[in->src] >> in->imm;
        break;
      case OP_MULI:
        regs[in->dst] = regs[in->src] * (uint32_t)in->imm;
        break;
      case OP_EQI:
        regs[in->dst] = regs[in->src] == (uint32_t)in->imm;
        break;
      case OP_JZ:
        if (regs[in->src] == 0) pc = (uint32_t)in->imm;
        break;
      case OP_JNZ:
        if (regs[in->src] != 0) pc = (uint32_t)in->imm;
        break;
      case OP_JMP:
        pc = (uint32_t)in->imm;
        break;
      case OP_HALT:
        return regs[2];
      default:
        return 0;
    }
  }
}

#define COLLATZ_STARTS 2000u

uint32_t bench_interp(uint32_t reps) {
  uint32_t hash = KERNEL_SEED;
  for (uint32_t r = 0; r < reps; ++r) {
    uint32_t regs[8] = {1u + (hash & 15u), 0, 0, COLLATZ_STARTS, 0, 0, 0, 0};
    hash = checksum_mix(hash, run_program(collatz_program, regs));
  }
  return hash;
}
