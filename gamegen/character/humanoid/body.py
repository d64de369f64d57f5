"""Body proportions: limb lengths and widths in pixels for each size, build and height.

``size=32`` is chibi (the head about 0.42 of the height, 2–3 heads tall), ``size=64`` follows the LPC base bodies
(about 3.3 heads tall, feet on the frame's bottom rows). Widths are whole pixels; the rig places odd-width limbs
on pixel centres and even-width ones on pixel edges so front views stay exactly symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["Build", "Height", "Body", "body"]

Build = Literal["slim", "broad"]
Height = Literal["short", "tall"]


@dataclass(frozen=True)
class Body:
    """One body's measures in pixels. Lengths are joint to joint; ``*_w`` are widths; ``*_hw`` half widths."""

    size: int
    ground: float  # screen y of the soles' lower edge
    head_rx: float
    head_ry: float
    neck: float
    torso_h: float
    shoulder_hw: float
    waist_hw: float
    torso_hd: float  # half depth, seen from the side
    hip_hw: float  # legs' centre lines from the middle
    thigh: float
    shin: float
    leg_w: int
    upper_arm: float
    forearm: float
    arm_w: int
    hand_r: float
    foot_len: float
    foot_h: float

    @property
    def chibi(self) -> bool:
        return self.size < 48

    @property
    def hip_y(self) -> float:
        """Hip joints' height above the ground (negative: up)."""
        return -(self.foot_h + self.thigh + self.shin)

    @property
    def shoulder_y(self) -> float:
        return self.hip_y - self.torso_h

    @property
    def head_y(self) -> float:
        """The head's centre."""
        return self.shoulder_y - self.neck - self.head_ry

    @property
    def arm_x(self) -> float:
        """The shoulder joints' distance from the middle (arms hang just outside the torso), on a pixel edge for
        even arm widths and a pixel centre for odd ones, so the arms keep their width."""
        x = self.shoulder_hw + self.arm_w / 2 - (0.0 if self.chibi else 1.0)
        return float(round(x)) if self.arm_w % 2 == 0 else float(np.floor(x)) + 0.5

    @property
    def scale(self) -> float:
        """This size's pixels per pixel of the 32 px body: motions and items are written at 32 px and scaled."""
        return self.size / 32


def body(size: Literal[32, 64], build: Build, height: Height) -> Body:
    """The measures for a frame of ``size`` pixels."""
    broad, tall = build == "broad", height == "tall"
    if size == 32:
        return Body(
            size=32,
            ground=30.0,
            head_rx=6.0,
            head_ry=5.0,
            neck=0.0,
            torso_h=7.0 if tall else 6.0,
            shoulder_hw=5.0 if broad else 4.0,
            waist_hw=4.5 if broad else 3.5,
            torso_hd=3.5 if broad else 3.0,
            hip_hw=2.5 if broad else 2.0,
            thigh=3.5 if tall else 3.0,
            shin=3.5 if tall else 2.5,
            leg_w=3 if broad else 2,
            upper_arm=3.5 if tall else 3.0,
            forearm=3.5 if tall else 3.0,
            arm_w=2,
            hand_r=1.1,
            foot_len=2.5,
            foot_h=2.0,
        )
    return Body(
        size=64,
        ground=62.0,
        head_rx=8.0,
        head_ry=7.5,
        neck=2.0,
        torso_h=15.0 if tall else 13.0,
        shoulder_hw=9.0 if broad else 7.5,
        waist_hw=7.5 if broad else 6.0,
        torso_hd=6.0 if broad else 5.0,
        hip_hw=4.0 if broad else 3.5,
        thigh=8.5 if tall else 7.0,
        shin=8.5 if tall else 7.0,
        leg_w=6 if broad else 5,
        upper_arm=8.0 if tall else 7.0,
        forearm=7.5 if tall else 6.5,
        arm_w=5 if broad else 4,
        hand_r=2.2,
        foot_len=5.0,
        foot_h=3.0,
    )
