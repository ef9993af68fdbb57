#!/bin/sh
# fio.sh VIGIL PROGDIR CASE - fio's own JSON report (read/write io_bytes and total_ios, summed
# over jobs) equals vigil's reads/writes and bytes on fio's data files, exactly.
# CASE: psync | sync | pvsync | pvsync2 (4 threads), threads32 (psync), procs (4 processes).
# The data files are laid out before the run (fio would otherwise write them first, which its
# report does not count).
FID_LIB=$(cd "$(dirname "$0")" && pwd)
. "$FID_LIB/lib.sh"
fid_setup "$1" "$2"
need fio
engine=psync jobs=4 size=256 mode=--thread
case $3 in
psync|sync|pvsync|pvsync2) engine=$3 ;;
threads32) jobs=32 size=64 ;;
procs) mode= ;;
*) fail "unknown case $3" ;;
esac
mkdir data
i=0
while [ $i -lt $jobs ]; do
	head -c $((size * 1024)) /dev/zero > data/j.$i.0 || fail "layout"
	i=$((i + 1))
done
vrun p.json fio --name=j --directory="$WORK/data" --ioengine=$engine --rw=randrw --bs=4k \
	--size=${size}k --numjobs=$jobs $mode --group_reporting --output-format=json --randseed=8 \
	--output=fio.json
[ "$RC" = 0 ] || fail "fio exit $RC"
want=$(jq -c '.jobs[0] | [.read.io_bytes, .read.total_ios, .write.io_bytes, .write.total_ios]' fio.json)
got=$(jq -c --arg d "$WORK/data/" '[.files[] | select(.path | startswith($d))] |
	[(map(.bytes_read) | add), (map(.reads) | add), (map(.bytes_written) | add), (map(.writes) | add)]' p.json)
case $want in "[0,0,"*|*",0,0]") fail "fio moved no bytes one way: $want (a test that cannot fail)" ;; esac
[ "$want" = "$got" ] || fail "fio says [read bytes, reads, write bytes, writes] $want, vigil $got"
[ "$(jq -r --arg d "$WORK/data/" '[.files[] | select(.path | startswith($d))] | length' p.json)" = $jobs ] \
	|| fail "want one record per job file"
echo "fidelity fio $3: ok ($got)"
