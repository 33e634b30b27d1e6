#!/usr/bin/env bash
# Enforces the dependency direction that SwiftPM cannot fully block (a module can import what a
# dependency of a dependency declares): each module of Sources/ imports only the Quarry modules
# to its left in docs/architecture.md, only Kernels/BLAS.swift (and BLASCoreCheck.swift) import
# the BLAS/LAPACK shim, only BLASCoreCheck.swift the CPU shim, only the Datasets module the
# image codecs, and only Collectives/MPICommunicator.swift the MPI shim. System and package modules (Foundation, HeapModule, ArgumentParser, …) are free.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rln "^import CShims" Sources Tests Benchmarks | grep -v -e "^Sources/Kernels/BLAS.swift$" -e "^Sources/Kernels/BLASCoreCheck.swift$" || true)
[ -z "$bad" ] || { echo "check-imports: CShims imported outside Sources/Kernels/BLAS{,CoreCheck}.swift: $bad" >&2; exit 1; }
bad=$(grep -rln "^import CCPU" Sources Tests Benchmarks | grep -v "^Sources/Kernels/BLASCoreCheck.swift$" || true)
[ -z "$bad" ] || { echo "check-imports: CCPU imported outside Sources/Kernels/BLASCoreCheck.swift: $bad" >&2; exit 1; }
bad=$(grep -rln "^import CMPI" Sources Tests Benchmarks | grep -v "^Sources/Collectives/MPICommunicator.swift$" || true)
[ -z "$bad" ] || { echo "check-imports: CMPI imported outside Sources/Collectives/MPICommunicator.swift: $bad" >&2; exit 1; }
bad=$(grep -rln "^import CImageCodecs" Sources Tests Benchmarks | grep -v "^Sources/Datasets/" || true)
[ -z "$bad" ] || { echo "check-imports: CImageCodecs imported outside Sources/Datasets: $bad" >&2; exit 1; }

# The Quarry modules each folder of Sources/ may import (the dependency direction of
# docs/architecture.md and Package.swift's header). A module not listed here is not checked.
quarry_modules="AtomicFiles Randomness Collectives CMPI CShims CCPU CImageCodecs Kernels DetectionKernels TensorCore Autograd NN Datasets Detection Evaluation Training KernelContract Quarry"
declare -A allowed=(
    [AtomicFiles]=""
    [Randomness]=""
    [Collectives]="CMPI"
    [Kernels]="Randomness CShims CCPU"
    [DetectionKernels]="Kernels Randomness"
    [TensorCore]="Kernels"
    [Autograd]="TensorCore Kernels DetectionKernels"
    [NN]="Autograd TensorCore Kernels AtomicFiles"
    [Datasets]="TensorCore Randomness CImageCodecs AtomicFiles"
    [Detection]="NN Autograd TensorCore Kernels DetectionKernels Randomness Datasets"
    [Evaluation]="AtomicFiles"
    [Training]="Detection Datasets Evaluation NN Autograd TensorCore Kernels Randomness AtomicFiles Collectives"
    [KernelContract]="Randomness Kernels DetectionKernels TensorCore Autograd NN Detection"
    [Quarry]="AtomicFiles Randomness Kernels DetectionKernels TensorCore Autograd NN Detection Datasets Evaluation Collectives Training"
    [CLI]="Quarry KernelContract"
)
status=0
for module in "${!allowed[@]}"; do
    [ -d "Sources/$module" ] || continue
    while IFS=: read -r file imported; do
        imported=${imported##* }
        case " $quarry_modules " in *" $imported "*) ;; *) continue ;; esac
        case " ${allowed[$module]} " in *" $imported "*) ;; *)
            echo "check-imports: $file imports $imported, which Sources/$module may not (allowed: ${allowed[$module]:-none})" >&2
            status=1 ;;
        esac
    done < <(grep -rHE "^(@_exported |@testable )?import [A-Za-z]+" "Sources/$module" | sed -E 's/:(@_exported |@testable )?import /:import /')
done
[ $status -eq 0 ] || exit 1
echo "check-imports: dependency direction holds"
