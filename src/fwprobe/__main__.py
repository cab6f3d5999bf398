from fwprobe.cli import main

main()
