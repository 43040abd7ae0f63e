// Empty on purpose: emu.h (force-included) defines __half and its conversions.
#pragma once
