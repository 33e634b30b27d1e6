// Open MPI's C API for the Collectives module (built only with the package trait MPI).
// The include and library paths come from pkg-config (`ompi`, Debian's libopenmpi-dev).
//
// Why the functions: MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_ERRORS_RETURN, MPI_IN_PLACE and
// MPI_STATUS_IGNORE are macros that cast the address of a library global (Open MPI) or an
// integer (MPICH) to a handle type; Swift imports neither form. Each static inline function
// below returns the macro's value, so the Swift side names no implementation's globals.
// Plain integer macros (MPI_SUCCESS, MPI_ANY_SOURCE, MPI_THREAD_SERIALIZED, …) import as they are.
#ifndef QUARRY_CMPI_SHIM_H
#define QUARRY_CMPI_SHIM_H

#include <mpi.h>

/// The communicator of every process the launcher started (MPI 4.1 §6.2.1 / MPI 3.1 §6.2.1).
static inline MPI_Comm quarry_mpi_comm_world(void) { return MPI_COMM_WORLD; }
/// The datatype of C `float` (32-bit IEEE 754).
static inline MPI_Datatype quarry_mpi_float(void) { return MPI_FLOAT; }
/// The datatype of C `double` (64-bit IEEE 754).
static inline MPI_Datatype quarry_mpi_double(void) { return MPI_DOUBLE; }
/// The datatype of one uninterpreted byte.
static inline MPI_Datatype quarry_mpi_byte(void) { return MPI_BYTE; }
/// The datatype of C `int64_t`.
static inline MPI_Datatype quarry_mpi_int64(void) { return MPI_INT64_T; }
/// The reduction operation "sum".
static inline MPI_Op quarry_mpi_sum(void) { return MPI_SUM; }
/// The error handler that makes a failing call return its error code instead of aborting.
static inline MPI_Errhandler quarry_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
/// The send-buffer marker of an in-place reduction.
static inline void *quarry_mpi_in_place(void) { return MPI_IN_PLACE; }
/// The "no status wanted" marker of the receive and wait calls.
static inline MPI_Status *quarry_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
/// The handle of a request that has completed (or was never started).
static inline MPI_Request quarry_mpi_request_null(void) { return MPI_REQUEST_NULL; }

#endif
