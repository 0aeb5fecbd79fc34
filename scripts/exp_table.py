#!/usr/bin/env python3
"""Print `engine::models::linalg::EXP2_64THS`: 2^(j/64) for j in 0..64, each the nearest f64.

The values are computed with 60-digit decimal arithmetic and rounded to f64 by Python's
correctly rounded string conversion; the output is the Rust array body, four per line.
Usage: python3 scripts/exp_table.py
"""
import struct
from decimal import Decimal, getcontext

getcontext().prec = 60
LN2 = Decimal(2).ln()


def bits(j: int) -> int:
    value = float(str((Decimal(j) / 64 * LN2).exp()))
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def main() -> None:
    rows = [bits(j) for j in range(64)]
    for i in range(0, 64, 4):
        print("        " + " ".join(
            f"0x{b >> 48:04x}_{(b >> 32) & 0xffff:04x}_{(b >> 16) & 0xffff:04x}_{b & 0xffff:04x},"
            for b in rows[i:i + 4]))


if __name__ == "__main__":
    main()
