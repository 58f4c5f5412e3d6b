// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Bridgeable} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC20Bridgeable.sol";

/// @title WrappedToken
/// @notice The representation, on other rollups, of an asset locked in the TokenBridge of its home rollup
///         (native ETH or a plain ERC-20). The bridge deploys it with CREATE2 from (home chain, home token),
///         so it has the same address on every rollup, and alone mints and burns it (ERC-7802).
contract WrappedToken is ERC20Bridgeable {
    address public immutable tokenBridge;
    uint64 public immutable homeChainId;
    address public immutable homeToken;

    /// @notice Only the TokenBridge mints and burns.
    error NotTokenBridge(address caller);

    constructor(uint64 homeChainId_, address homeToken_) ERC20("Junction Wrapped Asset", "jWRAP") {
        tokenBridge = msg.sender;
        homeChainId = homeChainId_;
        homeToken = homeToken_;
    }

    function _checkTokenBridge(address caller) internal view override {
        if (caller != tokenBridge) revert NotTokenBridge(caller);
    }
}
