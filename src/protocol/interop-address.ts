// ERC-7930 binary interoperable addresses (version 1, EVM chains only), as ERC-7786 uses them.
import { type Address, getAddress, type Hex, hexToBigInt, numberToHex, size, slice, toHex } from "viem";

const VERSION_1 = "0x0001";
const EIP155_CHAIN_TYPE = "0x0000";

export class InteropAddressError extends Error {
  override name = "InteropAddressError" as const;
}

/** Encodes `address` on EVM chain `chainId` as an ERC-7930 v1 binary address. */
export function formatEvmV1(chainId: bigint, address: Address): Hex {
  const reference = numberToHex(chainId);
  const referenceBytes = reference.length % 2 === 0 ? reference : (`0x0${reference.slice(2)}` as Hex);
  const referenceLength = size(referenceBytes);
  return `0x${VERSION_1.slice(2)}${EIP155_CHAIN_TYPE.slice(2)}${toHex(referenceLength, { size: 1 }).slice(2)}${referenceBytes.slice(2)}14${address.slice(2).toLowerCase()}`;
}

/** Decodes an ERC-7930 v1 binary address of an EVM chain. */
export function parseEvmV1(value: Hex): { chainId: bigint; address: Address } {
  if (size(value) < 6) throw new InteropAddressError(`too short for an interoperable address: ${value}`);
  if (slice(value, 0, 2) !== VERSION_1) throw new InteropAddressError(`unsupported version in ${value}`);
  if (slice(value, 2, 4) !== EIP155_CHAIN_TYPE) throw new InteropAddressError(`not an EVM address: ${value}`);
  const referenceLength = Number(hexToBigInt(slice(value, 4, 5)));
  const addressOffset = 5 + referenceLength;
  if (size(value) !== addressOffset + 1 + 20) throw new InteropAddressError(`malformed address: ${value}`);
  const chainId = referenceLength === 0 ? 0n : hexToBigInt(slice(value, 5, addressOffset));
  if (Number(hexToBigInt(slice(value, addressOffset, addressOffset + 1))) !== 20) {
    throw new InteropAddressError(`EVM address must be 20 bytes: ${value}`);
  }
  return { chainId, address: getAddress(slice(value, addressOffset + 1)) };
}
