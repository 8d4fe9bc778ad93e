//! Which vector instructions the hot loops are compiled for: the one home of that choice.
//!
//! The crate is built for the x86-64 baseline (SSE2: two doubles or sixteen bytes a register).
//! The per-sample kernels (scoring, ranking, recording) are compiled a second time with AVX2
//! (four doubles, thirty-two bytes) and that copy runs when the CPU has it. Both copies run the
//! same Rust code: Rust never contracts `a * b + c` into a fused multiply-add and IEEE 754
//! rounds every addition, multiplication and division the same in any register width, so the
//! two give bit-identical results (as `analysis::sobol::bootstrap`'s kernels do); wider
//! vectors only make them faster.

/// Whether the AVX2 copies of the kernels can run on this CPU (a cached flag: cheap to ask
/// once per sample).
#[inline]
pub fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Defines `$name`, which runs the `#[inline(always)]` function `$portable` (same arguments)
/// compiled for AVX2 when [`avx2`] says the CPU has it, and as built otherwise.
macro_rules! dispatch {
    ($(#[$meta:meta])* $vis:vis fn $name:ident / $avx2:ident = $portable:ident
        $(<$($lt:lifetime),*>)? ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)?) => {
        $(#[$meta])*
        $vis fn $name $(<$($lt),*>)? ($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            if $crate::pipeline::vectors::avx2() {
                // SAFETY: the CPU has AVX2, checked just above.
                return unsafe { $avx2($($arg),*) };
            }
            $portable($($arg),*)
        }

        $(#[$meta])*
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $avx2 $(<$($lt),*>)? ($($arg: $ty),*) $(-> $ret)? {
            $portable($($arg),*)
        }
    };
}
pub(crate) use dispatch;
