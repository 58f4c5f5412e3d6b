// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title OwnedTestToken
/// @notice Test-only ERC-20 only its owner can mint: the devnet's ETH-priced margin collateral. A token
///         anyone can mint (TestToken) must never be listed as priced collateral, or anyone mints margin.
contract OwnedTestToken is ERC20, Ownable {
    constructor(address initialOwner) ERC20("Devnet Test ETH", "tETH") Ownable(initialOwner) {}

    /// @notice The owner mints `amount` to `to`.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
