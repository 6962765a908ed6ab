#!/usr/bin/env bash
# Captures real VT-d logs from a Linux guest doing disk and network I/O under Debian 12's QEMU 7.2 (the logs in
# tests/traces/import/qemu72-guest/ were made with it; docs/trace-import.md). Needs root for the packages:
#   apt-get install qemu-system-x86 linux-image-cloud-amd64 busybox-static cpio
# Usage: scripts/qemu-guest-capture.sh OUTDIR   -> OUTDIR/vtd.log (QEMU -trace 'vtd_*'), OUTDIR/tracefs.txt
# (the guest's /sys/kernel/tracing/trace with the iommu and intel_iommu events), OUTDIR/console.log.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
kver=$(ls /boot/vmlinuz-*-cloud-amd64 | sort -V | tail -1 | sed 's|/boot/vmlinuz-||')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,mods}
cp /bin/busybox "$root/bin/"
# virtio is modular in Debian's cloud kernel: load it in dependency order.
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk failover net_failover virtio_net"
for m in $mods; do cp "$(find /lib/modules/"$kver" -name "$m.ko*" | head -1)" "$root/mods/"; done
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tracefs none /sys/kernel/tracing
echo 1 > /sys/kernel/tracing/events/iommu/enable
echo 1 > /sys/kernel/tracing/events/intel_iommu/enable 2>/dev/null
echo 8192 > /sys/kernel/tracing/buffer_size_kb
for m in $mods; do insmod /mods/\$m.ko; done
dd if=/dev/vda of=/dev/null bs=64k count=256
dd if=/dev/zero of=/dev/vda bs=4k count=512 seek=100 conv=fsync
ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0
ping -c 20 -i 0.05 10.0.2.2
echo 0 > /sys/kernel/tracing/tracing_on
echo TRACE-BEGIN; cat /sys/kernel/tracing/trace; echo TRACE-END
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) > "$work/init.cpio.gz"
dd if=/dev/zero of="$work/disk.img" bs=1M count=32 2>/dev/null
timeout 600 qemu-system-x86_64 -machine q35,kernel-irqchip=split -m 512 -smp 1 -nographic -no-reboot \
  -device intel-iommu,intremap=on,caching-mode=off \
  -kernel "/boot/vmlinuz-$kver" -initrd "$work/init.cpio.gz" \
  -append "console=ttyS0 intel_iommu=on iommu=strict panic=-1 quiet" \
  -drive file="$work/disk.img",if=none,id=d0,format=raw \
  -device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on \
  -netdev user,id=n0 -device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on \
  -trace 'vtd_*' -D "$out/vtd.log" > "$out/console.log" 2>&1
sed -n '/TRACE-BEGIN/,/TRACE-END/p' "$out/console.log" | sed '1d;$d' | tr -d '\r' > "$out/tracefs.txt"
echo "$out/vtd.log"
echo "$out/tracefs.txt"
