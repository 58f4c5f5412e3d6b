// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title CheckpointSignature
/// @notice EIP-712 signatures over an Outbox checkpoint `(sourceChainId, count, root)`, bound to one
///         deployment: the domain's `verifyingContract` is the source Outbox.
/// @dev The domain has no chain id: the same signature is checked on the source (fraud proofs) and on
///      every destination, and the source chain is inside the signed struct. Binding the Outbox means a
///      signature made for one deployment (or another network reusing the chain ids) is worthless to
///      another: it can neither be imported there nor be "proven fraudulent" there to slash an honest
///      signer. TypeScript twin: `src/protocol/checkpoint-signature.ts`.
library CheckpointSignature {
    bytes32 internal constant CHECKPOINT_TYPEHASH =
        keccak256("Checkpoint(uint64 sourceChainId,uint256 count,bytes32 root)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,address verifyingContract)");

    /// @notice The EIP-712 domain separator of a deployment whose Outbox is at `outbox`.
    function domainSeparator(address outbox) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("Junction"), keccak256("1"), outbox));
    }

    function digest(address outbox, uint64 sourceChainId, uint256 count, bytes32 root)
        internal
        pure
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(CHECKPOINT_TYPEHASH, sourceChainId, count, root));
        return MessageHashUtils.toTypedDataHash(domainSeparator(outbox), structHash);
    }

    /// @notice The signer of a checkpoint; reverts (OpenZeppelin's ECDSA errors) on a malformed signature.
    function signer(address outbox, uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata signature)
        internal
        pure
        returns (address)
    {
        return ECDSA.recover(digest(outbox, sourceChainId, count, root), signature);
    }
}
