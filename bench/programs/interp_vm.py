"""A tiny stack-machine interpreter: an assembler resolves labels in a
generated program (loops computing a prime count, gcd sums, a Collatz
walk and random arithmetic blocks) and a big if/elif dispatch loop executes
it with a value stack, local slots and call/return frames."""

import random

N = 3
EXPECTED = ((430, 209816), 3310989, 402, 5309706)

OPS = ["push", "load", "store", "add", "sub", "mul", "mod", "div", "lt", "eq",
       "jmp", "jz", "jnz", "dup", "pop", "swap", "call", "ret", "halt", "inc", "print"]
OPCODE = {name: i for i, name in enumerate(OPS)}


def assemble(lines):
    labels = {}
    raw = []
    for line in lines:
        line = line.split("#")[0].strip()
        if not line:
            continue
        if line.endswith(":"):
            labels[line[:-1]] = len(raw)
            continue
        parts = line.split()
        raw.append((parts[0], parts[1] if len(parts) > 1 else None))
    code = []
    for op, arg in raw:
        if arg is None:
            value = 0
        elif arg in labels:
            value = labels[arg]
        else:
            value = int(arg)
        code.append((OPCODE[op], value))
    return code


def run(code, nlocals=16, max_steps=50_000_000):
    stack = []
    frames = []
    slots = [0] * nlocals
    out = []
    pc = 0
    steps = 0
    push = stack.append
    pop = stack.pop
    while steps < max_steps:
        op, arg = code[pc]
        pc += 1
        steps += 1
        if op == 0:      # push
            push(arg)
        elif op == 1:    # load
            push(slots[arg])
        elif op == 2:    # store
            slots[arg] = pop()
        elif op == 3:    # add
            b = pop()
            stack[-1] += b
        elif op == 4:    # sub
            b = pop()
            stack[-1] -= b
        elif op == 5:    # mul
            b = pop()
            stack[-1] *= b
        elif op == 6:    # mod
            b = pop()
            stack[-1] %= b
        elif op == 7:    # div
            b = pop()
            stack[-1] //= b
        elif op == 8:    # lt
            b = pop()
            stack[-1] = 1 if stack[-1] < b else 0
        elif op == 9:    # eq
            b = pop()
            stack[-1] = 1 if stack[-1] == b else 0
        elif op == 10:   # jmp
            pc = arg
        elif op == 11:   # jz
            if not pop():
                pc = arg
        elif op == 12:   # jnz
            if pop():
                pc = arg
        elif op == 13:   # dup
            push(stack[-1])
        elif op == 14:   # pop
            pop()
        elif op == 15:   # swap
            stack[-1], stack[-2] = stack[-2], stack[-1]
        elif op == 16:   # call
            frames.append((pc, slots))
            slots = slots[:]
            pc = arg
        elif op == 17:   # ret
            pc, slots = frames.pop()
        elif op == 18:   # halt
            break
        elif op == 19:   # inc
            slots[arg] += 1
        elif op == 20:   # print
            out.append(pop())
    return out, steps


def prime_count_program(limit):
    # slot0 = n, slot1 = count, slot2 = d
    return f"""
    push 2
    store 0
    push 0
    store 1
    outer:
      load 0
      push {limit}
      lt
      jz done
      push 2
      store 2
    inner:
      load 2
      load 2
      mul
      load 0
      swap
      lt
      jnz is_prime
      load 0
      load 2
      mod
      jz next_n
      inc 2
      jmp inner
    is_prime:
      inc 1
    next_n:
      inc 0
      jmp outer
    done:
      load 1
      print
    """.splitlines()


def gcd_sum_program(limit):
    # sum of gcd(a, 360) for a in 1..limit, gcd as a subroutine using slots 5,6
    return f"""
    push 0
    store 3
    push 1
    store 4
    loop:
      load 4
      push {limit}
      lt
      jz finish
      load 4
      push 360
      call gcd
      load 3
      add
      store 3
      inc 4
      jmp loop
    finish:
      load 3
      print
      jmp after
    gcd:
      store 6
      store 5
    gcd_loop:
      load 6
      jz gcd_done
      load 5
      load 6
      mod
      load 6
      store 5
      store 6
      jmp gcd_loop
    gcd_done:
      load 5
      ret
    after:
    """.splitlines()


def random_block(rng, count):
    lines = []
    for i in range(count):
        lines.append(f"push {rng.randrange(1, 50)}")
        lines.append(f"load {7 + i % 4}")
        lines.append(rng.choice(["add", "sub", "mul", "add"]))
        lines.append(f"push {rng.randrange(1000, 100000)}")
        lines.append("mod")
        lines.append(f"store {7 + (i + 1) % 4}")
    lines.append("load 8")
    lines.append("print")
    return lines


def main():
    rng = random.Random(1234)
    program = []
    program += prime_count_program(3000)
    program += gcd_sum_program(20000)
    program += ["push 0", "store 12", "rep:", "load 12", "push 400", "lt", "jz rep_done"]
    program += random_block(rng, 60)
    program += ["inc 12", "jmp rep", "rep_done:"]
    program += ["halt"]
    code = assemble(program)
    outputs = []
    total_steps = 0
    for _ in range(N):
        out, steps = run(code)
        outputs.append(tuple(out))
        total_steps += steps
    if len(set(outputs)) != 1:
        raise SystemExit("interp_vm: runs disagree")
    result = (outputs[0][:2], sum(outputs[0]), len(outputs[0]), total_steps)
    if result != EXPECTED:
        raise SystemExit(f"interp_vm: wrong result {result!r}")
    print(f"interp_vm: ok {outputs[0][0]} {outputs[0][1]} {total_steps}")


if __name__ == "__main__":
    main()
