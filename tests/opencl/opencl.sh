#!/bin/sh
# The OpenCL layer on PoCL's CPU device, with exact expected counts (prog_ocl.c says what
# one unit of its work is).  usage: opencl.sh VIGIL_BIN PROG_DIR MODE
. "$(dirname "$0")/../lib/preload.sh"
setup "$1" "$2"
prog=$2/prog_ocl
mode=$3
export POCL_DEVICES=basic POCL_CACHE_DIR="$WORK/pocl-cache"
unset OPENCL_LAYERS VIGIL_OPENCL_PROFILING

# run_same OUT ARGS...: the program's own output under vigil equals its output without
run_same() {
	out=$1
	shift
	"$@" > plain.out 2> plain.err || fail "without vigil: exit $? ($(cat plain.err))"
	vrun "$out" "$@" > vigil.out 2> vigil.err
	[ "$RC" = 0 ] || fail "under vigil: exit $RC ($(cat vigil.err))"
	sort plain.out > a.sorted
	sort vigil.out > b.sorted
	cmp -s a.sorted b.sorted || fail "output changed under vigil: $(diff a.sorted b.sorted)"
}

# expect_work PROFILE N: N units of prog_ocl's work, exactly
expect_work() {
	n=$2
	expect_op "$1" opencl clEnqueueWriteBuffer "$n" 0 $((n * 8192))
	expect_op "$1" opencl clEnqueueReadBuffer $((n * 2)) 0 $((n * 9192))
	expect_op "$1" opencl clEnqueueReadBufferRect "$n" 0 $((n * 1024))
	expect_op "$1" opencl clEnqueueWriteBufferRect "$n" 0 $((n * 256))
	expect_op "$1" opencl clEnqueueReadImage $((n * 2)) 0 $((n * 4096))
	expect_op "$1" opencl clEnqueueWriteImage "$n" 0 $((n * 32768))
	expect_op "$1" opencl clEnqueueCopyBuffer "$n" 0 $((n * 2048))
	expect_op "$1" opencl clEnqueueFillBuffer $((n * 2)) 0 $((n * 4096))
	expect_op "$1" opencl clEnqueueMapBuffer "$n" 0 $((n * 512))
	expect_op "$1" opencl clEnqueueUnmapMemObject "$n" 0 $((n * 512))
	expect_op "$1" opencl clCreateBuffer $((n * 2)) 0 $((n * 4096))
	expect_op "$1" opencl clCreateImage $((n * 2)) 0 $((n * 2048))
	expect_op "$1" opencl clEnqueueNDRangeKernel $((n * 5)) 0 0
	expect_op "$1" opencl clSetKernelArg $((n * 4)) 0 0
	expect_op "$1" opencl clCreateKernel $((n * 2)) 0 0
	expect_op "$1" opencl clCreateCommandQueue "$n" 0 0
	expect_op "$1" opencl clFinish "$n" 0 0
	expect_op "$1" opencl clWaitForEvents "$n" 0 0
	expect_op "$1" opencl clReleaseMemObject $((n * 4)) 0 0
	expect_op "$1" opencl clBuildProgram 1 0 0
	a=.accelerator.transfers
	expect "$1" "$a.host_to_device.bytes" $((n * 47360))
	expect "$1" "$a.device_to_host.bytes" $((n * 14312))
	expect "$1" "$a.device_to_device.bytes" $((n * 2048))
	expect "$1" "$a.fill.bytes" $((n * 4096))
	expect "$1" "$a.map.bytes" $((n * 1024))
	expect "$1" "$a.kernels.commands" $((n * 5))
	expect "$1" "$a.kernels.work_items" $((n * 3584))
	expect "$1" "[.accelerator.kernels[] | \"\(.name) \(.launches) \(.work_items)\"] | sort | join(\",\")" \
		"scale $((n * 2)) $((n * 512)),vadd $((n * 3)) $((n * 3072))"
	# I/O totals never include OpenCL: the opencl layer is no file layer
	expect "$1" '[.files[] | select(.layer == "opencl")] | length' 0
}

# expect_timed PROFILE N: every kernel timed, device time present and below the run's wall time
expect_timed() {
	expect "$1" .accelerator.profiling 1
	expect "$1" .accelerator.transfers.kernels.timed $(($2 * 5))
	expect "$1" '.accelerator.transfers.kernels.device_seconds > 0' true
	expect "$1" '.accelerator.transfers.kernels.device_seconds <= .job.duration_seconds' true
	expect "$1" '([.accelerator.kernels[].device_seconds] | add * 1e9 | round) == (.accelerator.transfers.kernels.device_seconds * 1e9 | round)' true
	expect "$1" '[.accelerator.queues[] | .busy_seconds <= .device_seconds + 1e-9] | all' true
	expect "$1" .accelerator.dropped 0
}

case $mode in
linked|dl)
	run_same p.json "$prog" "$mode" plain main
	grep -qx '\[0\] queue properties 0' vigil.out || fail "queue properties changed: $(cat vigil.out)"
	grep -qx '\[0\] own profiling query: -7 -7' vigil.out || fail "own profiling query: $(cat vigil.out)"
	expect_work p.json 1
	expect_timed p.json 1
	expect p.json '.accelerator.queues | length' 1
	# the reports read the section back: text and HTML
	"$VIGIL" report p.json > report.txt || fail "vigil report failed"
	grep -q '^Accelerator (OpenCL: 1 process, device timing on)' report.txt || fail "no accelerator section"
	grep -Eq '^  host -> device +5 +46\.2 KiB +5 ' report.txt || fail "host->device row: $(grep 'host ->' report.txt)"
	grep -Eq '^  vadd +3 +3,?072 ' report.txt || fail "vadd row: $(grep vadd report.txt)"
	"$VIGIL" report p.json -o report.html || fail "vigil report -o failed"
	grep -q '<section id="accelerator">' report.html || fail "no accelerator section in HTML"
	;;
profile)
	# a program that asked for profiling gets its own timings, and vigil's are exactly its sum
	run_same p.json "$prog" linked profile main
	grep -qx '\[0\] queue properties 2' vigil.out || fail "queue properties: $(cat vigil.out)"
	own=$(sed -n 's/^own_kernel_ns //p' vigil.err)
	[ -n "$own" ] || fail "no own_kernel_ns in: $(cat vigil.err)"
	expect_work p.json 1
	expect_timed p.json 1
	expect p.json '.accelerator.transfers.kernels.device_seconds * 1e9 | round' "$own"
	;;
fork)
	run_same p.json "$prog" linked plain fork
	expect p.json '.processes | length' 2
	expect p.json .accelerator.processes 1
	expect_work p.json 1
	expect_timed p.json 1
	;;
threads)
	run_same p.json "$prog" dl plain threads
	expect_work p.json 2
	expect_timed p.json 2
	expect p.json '.accelerator.queues | length' 2
	;;
pyopencl)
	py=/usr/bin/python3
	"$py" -c 'import numpy, pyopencl' 2>/dev/null || fail "python3-pyopencl (and numpy) not installed"
	run_same p.json "$py" "$PY_OCL"
	grep -qx 'queue properties 0' vigil.out || fail "queue properties changed: $(cat vigil.out)"
	expect_op p.json opencl clEnqueueWriteBuffer 1 0 8192
	expect_op p.json opencl clEnqueueReadBuffer 1 0 8192
	expect_op p.json opencl clEnqueueNDRangeKernel 4 0 0
	expect p.json .accelerator.transfers.host_to_device.bytes 12288
	expect p.json .accelerator.transfers.device_to_host.bytes 8192
	expect p.json '[.accelerator.kernels[] | "\(.name) \(.launches) \(.work_items) \(.timed)"] | join(",")' \
		"twice 4 8192 4"
	;;
svm)
	# SVM copies get their direction from the clSVMAlloc'd pointers they touch
	run_same p.json "$prog" linked plain svm
	expect_op p.json opencl clEnqueueSVMMemcpy 4 0 7680
	a=.accelerator.transfers
	expect p.json "$a.host_to_device.bytes" 4096
	expect p.json "$a.device_to_host.bytes" 1024
	expect p.json "$a.device_to_device.bytes" 2560
	expect p.json "$a.device_to_device.commands" 2
	;;
noocl)
	# no OpenCL in the program: its environment unchanged, libOpenCL never mapped
	run_same p.json "$2/prog_noocl"
	grep -qx 'dlopen 1 1, OPENCL_LAYERS=(unset), libOpenCL mapped: 0' vigil.out || fail "$(cat vigil.out)"
	OPENCL_LAYERS=/opt/user/layer.so run_same p2.json "$2/prog_noocl"
	grep -qx 'dlopen 1 1, OPENCL_LAYERS=/opt/user/layer.so, libOpenCL mapped: 0' vigil.out || fail "$(cat vigil.out)"
	expect p.json .accelerator null
	;;
disabled)
	# VIGIL_OPENCL_PROFILING=0: counts exact, no device time, the program's view unchanged
	VIGIL_OPENCL_PROFILING=0 run_same p.json "$prog" linked plain main
	grep -qx '\[0\] own profiling query: -7 -7' vigil.out || fail "own profiling query: $(cat vigil.out)"
	expect_work p.json 1
	expect p.json .accelerator.profiling 0
	expect p.json .accelerator.transfers.kernels.timed 0
	expect p.json '.accelerator.queues | length' 0
	;;
*)
	fail "unknown mode $mode"
	;;
esac
echo "ok: opencl $mode"
