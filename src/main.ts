import './ui/app-root';
