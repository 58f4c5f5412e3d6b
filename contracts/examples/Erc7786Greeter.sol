// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";

/// @title Erc7786Greeter
/// @notice Example of an app written against ERC-7786 only (OpenZeppelin's ERC7786Recipient): it runs
///         unchanged on Junction by trusting the JunctionGateway as its destination gateway.
contract Erc7786Greeter is ERC7786Recipient {
    address public immutable gateway;

    bytes public lastSender;
    bytes32 public lastReceiveId;
    bytes public lastPayload;

    constructor(address gateway_) {
        gateway = gateway_;
    }

    function _isAuthorizedGateway(address instance, bytes calldata) internal view override returns (bool) {
        return instance == gateway;
    }

    function _processMessage(address, bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        internal
        override
    {
        lastReceiveId = receiveId;
        lastSender = sender;
        lastPayload = payload;
    }
}
