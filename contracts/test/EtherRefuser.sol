// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title EtherRefuser
/// @notice Test-only account that refuses plain ETH payments until told to accept them, so tests can
///         show a payment to it becomes a pull credit instead of blocking a claim or refund forever.
contract EtherRefuser {
    bool public accepting;

    error NotAccepting();

    function setAccepting(bool value) external {
        accepting = value;
    }

    /// @notice Calls `target` with `data` (e.g. to withdraw what it is owed).
    function call(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }

    receive() external payable {
        if (!accepting) revert NotAccepting();
    }
}
