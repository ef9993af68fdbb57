! fp2p.f90 - Fortran (use mpi): p2p and collectives with known counts; even number of ranks.
program fp2p
  use mpi
  implicit none
  integer :: ierr, rank, nranks, peer, req(2), st(MPI_STATUS_SIZE)
  integer :: a(100), b(100)
  double precision :: x(4), y(4)
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  a = 0
  x = 1.0d0
  peer = ieor(rank, 1)
  if (mod(rank, 2) == 0) then
    call MPI_Send(a, 100, MPI_INTEGER, peer, 1, MPI_COMM_WORLD, ierr)          ! 400
  else
    call MPI_Recv(b, 100, MPI_INTEGER, peer, 1, MPI_COMM_WORLD, st, ierr)      ! 400
  end if
  call MPI_Isend(a, 10, MPI_INTEGER, peer, 2, MPI_COMM_WORLD, req(1), ierr)   ! 40
  call MPI_Irecv(b, 10, MPI_INTEGER, peer, 2, MPI_COMM_WORLD, req(2), ierr)   ! 40
  call MPI_Waitall(2, req, MPI_STATUSES_IGNORE, ierr)
  call MPI_Barrier(MPI_COMM_WORLD, ierr)
  call MPI_Bcast(a, 16, MPI_INTEGER, 0, MPI_COMM_WORLD, ierr)                 ! 64
  call MPI_Allreduce(x, y, 4, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, ierr) ! 32
  call MPI_Reduce(x, y, 2, MPI_DOUBLE_PRECISION, MPI_SUM, 0, MPI_COMM_WORLD, ierr) ! 16
  call MPI_Finalize(ierr)
  if (rank == 0) print '(a,i0)', 'fp2p ok ', nranks
end program fp2p
