// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FirstClaim
/// @notice Test contract where order is worth money: the first caller to claim a name owns it. The
///         front-running test uses it to show that a committed claim cannot be overtaken.
contract FirstClaim {
    mapping(bytes32 name => address) public ownerOf;

    event Claimed(bytes32 indexed name, address indexed owner);

    /// @notice The name is taken.
    error AlreadyClaimed(bytes32 name, address owner);

    function claim(bytes32 name) external {
        address current = ownerOf[name];
        if (current != address(0)) revert AlreadyClaimed(name, current);
        ownerOf[name] = msg.sender;
        emit Claimed(name, msg.sender);
    }
}
