from paxcare.cli import main

main()
