// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title CheckpointSignature
/// @notice EIP-712 signatures over an Outbox checkpoint `(sourceChainId, count, root)`.
/// @dev The domain has only a name and a version: the same signature is checked on the source (fraud
///      proofs) and on every destination, so it cannot bind a chain id or a verifying contract. The
///      source chain is inside the signed struct. TypeScript twin: `src/protocol/checkpoint-signature.ts`.
library CheckpointSignature {
    bytes32 internal constant CHECKPOINT_TYPEHASH =
        keccak256("Checkpoint(uint64 sourceChainId,uint256 count,bytes32 root)");
    bytes32 internal constant DOMAIN_SEPARATOR = keccak256(
        abi.encode(keccak256("EIP712Domain(string name,string version)"), keccak256("Junction"), keccak256("1"))
    );

    function digest(uint64 sourceChainId, uint256 count, bytes32 root) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(CHECKPOINT_TYPEHASH, sourceChainId, count, root));
        return MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR, structHash);
    }

    /// @notice The signer of a checkpoint; reverts (OpenZeppelin's ECDSA errors) on a malformed signature.
    function signer(uint64 sourceChainId, uint256 count, bytes32 root, bytes calldata signature)
        internal
        pure
        returns (address)
    {
        return ECDSA.recover(digest(sourceChainId, count, root), signature);
    }
}
