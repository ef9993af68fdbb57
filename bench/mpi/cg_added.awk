# cg_added.awk - from a callgrind output (--compress-strings=no --compress-pos=no,
# --toggle-collect=cg_*) of bench/mpi/cg_mpi.c: Ir per loop (cg_pingpong,
# cg_allreduce, cg_comm_rank) without the MPI library's own work, i.e. the
# inclusive cost of the loop less the inclusive cost of every call into the MPI
# library (libmpi*, libmpich*) to the real function of a call the loop makes
# (MPI_X or PMPI_X), and of libvigil.so's col_tl_locate (it runs when time
# crosses a timeline bin, not per call: how often depends on timing).  What
# remains is the loop itself plus everything a preloaded wrapper adds (its
# clock reads, byte rule, counting, forwarding, and any other MPI call it
# makes).  Prints "loop Ir" lines.
function mpilib(o) { return o ~ /\/libmpi[^\/]*$/ || o ~ /\/libmpich[^\/]*$/ }
function loopof(f) {
	sub(/^P/, "", f)
	if (f == "MPI_Send" || f == "MPI_Recv") return "cg_pingpong"
	if (f == "MPI_Allreduce") return "cg_allreduce"
	if (f == "MPI_Comm_rank") return "cg_comm_rank"
	return ""
}
/^ob=/ { ob = substr($0, 4); next }
/^fn=/ { fn = substr($0, 4); next }
/^cob=/ { cob = substr($0, 5); next }
/^cfn=/ { cfn = substr($0, 5); next }
/^calls=/ { incall = 1; next }
/^[0-9]/ {
	if (incall) {
		if (fn ~ /^cg_/ && fn !~ /'/) incl[fn] += $2
		callee = cob != "" ? cob : ob
		if (!mpilib(ob) && mpilib(callee) && loopof(cfn) != "") real[loopof(cfn)] += $2
		if (cfn == "col_tl_locate") tl[fn] += $2
		incall = 0; cob = ""
	} else if (fn ~ /^cg_/ && fn !~ /'/) {
		incl[fn] += $2
	}
	next
}
END {
	# a counter's timeline calls, charged to the loop that made the wrapped call
	for (f in tl) {
		l = f; sub(/^core_count_/, "", l)
		if (l == "MPI_SEND" || l == "MPI_RECV") real["cg_pingpong"] += tl[f]
		else if (l == "MPI_ALLREDUCE") real["cg_allreduce"] += tl[f]
		else if (l == "MPI_COMM_RANK") real["cg_comm_rank"] += tl[f]
	}
	for (l in incl) print l, incl[l] - real[l]
}
