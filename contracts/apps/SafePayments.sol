// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title SafePayments
/// @notice What the apps that hold users' money share about moving it: native value sent to a receiver
///         that refuses it becomes a pull credit (so a claim, release or refund never fails forever), and
///         tokens are taken in only when exactly the asked amount arrives (fee-on-transfer and rebasing
///         tokens would leave the contract owing more than it holds).
abstract contract SafePayments {
    using SafeERC20 for IERC20;

    /// @notice Native value owed to accounts that refused a direct payment; pulled with `withdrawOwed`.
    mapping(address account => uint256) public owed;

    /// @notice A native payment was refused by its receiver and is owed to it instead.
    event PaymentOwed(address indexed account, uint256 amount);
    event OwedWithdrawn(address indexed account, uint256 amount);

    /// @notice Nothing is owed to the caller.
    error NothingOwed(address account);
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice The token moved another amount than asked (fee-on-transfer or rebasing): not supported.
    error UnsupportedToken(address token, uint256 expected, uint256 received);

    /// @notice Pays out native value owed to the caller after it refused a direct payment.
    function withdrawOwed() external {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingOwed(msg.sender);
        owed[msg.sender] = 0;
        emit OwedWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @dev Sends native value, or owes it when the receiver refuses.
    function _sendOrOwe(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) {
            owed[to] += amount;
            emit PaymentOwed(to, amount);
        }
    }

    /// @dev Takes exactly `amount` of `token` from the caller; refuses tokens that deliver less or more.
    function _pullExact(IERC20 token, uint256 amount) internal {
        _pullExactFrom(token, msg.sender, amount);
    }

    /// @dev Takes exactly `amount` of `token` from `from` (who approved this contract).
    function _pullExactFrom(IERC20 token, address from, uint256 amount) internal {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(address(token), amount, received);
    }
}
